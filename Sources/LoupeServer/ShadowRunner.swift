import Logging
import ServiceLifecycle

/// Sends queued shadow copies, `concurrency` at a time. On graceful shutdown it takes no new copies and
/// sends those already queued, so their traces are recorded before the writer flushes.
struct ShadowRunner: Service {
    let queue: ShadowQueue
    var concurrency = 16
    let send: @Sendable (ShadowJob) async -> Void

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Each finished copy frees a slot; the loop waits for one when all are taken.
                let (freed, free) = AsyncStream.makeStream(of: Void.self)
                var slots = freed.makeAsyncIterator()
                var running = 0
                for await job in queue.jobs {
                    if running == concurrency {
                        _ = await slots.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask {
                        await send(job)
                        free.yield()
                    }
                }
            }
        } onGracefulShutdown: {
            queue.finish()
        }
    }
}
