import Logging
import ServiceLifecycle

/// Polls the registry's revision, so that a push or label move through any instance reaches this
/// one's prompt cache within `interval` (the product promises 5 s).
struct PromptCacheRefresher: Service {
    let cache: PromptCache
    var interval: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        try await cache.refresh()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // The store is away; cached prompts keep serving, and the next look tries again.
                        logger.debug("cannot read the prompt registry's revision", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
