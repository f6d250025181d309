import AsyncHTTPClient
import Foundation
import LoupeCore
import LoupeSQLite
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ShutdownTests {
    @Test("SIGTERM during load: every call answered 2xx has its trace in the store", .timeLimit(.minutes(2)))
    func sigtermDuringLoadFlushesEverything() async throws {
        let folder = testFolder("sigterm")
        let database = folder.appendingPathComponent("loupe/loupe.db").path
        let load = try await withHTTPClient { http in
            let (upstream, upstreamPort) = try await startFakeUpstream(folder: folder, http: http)
            let loupe = try await LoupeInstance.start(storeURL: "sqlite:\(database)", upstreamPort: upstreamPort, folder: folder.appendingPathComponent("loupe"), http: http)
            let load = LoadGenerator(targets: [loupe.baseURL])
            let running = Task { await load.run(clients: 8, http: http) }
            try await load.waitForSuccesses(100)
            loupe.process.signal(SIGTERM)
            #expect(await loupe.process.waitForExit() == 0, "\(loupe.process.logTail)")
            load.stop()
            await running.value
            upstream.signal(SIGTERM)
            return load
        }
        let store = try SQLiteTraceStore(path: database)
        #expect(load.successes.count > 50)
        var missing: [String] = []
        for success in load.successes where try await store.trace(id: success.traceID) == nil {
            missing.append(success.traceID)
        }
        #expect(missing.isEmpty, "\(missing.count) of \(load.successes.count) answered calls have no trace")
    }

    @Test("kill -9 during load: the SQLite file is sound and only the last flush window can be missing", .timeLimit(.minutes(2)))
    func killDuringLoadKeepsSQLiteSound() async throws {
        let folder = testFolder("kill9")
        let database = folder.appendingPathComponent("loupe/loupe.db").path
        let (load, killedAt) = try await withHTTPClient { http in
            let (upstream, upstreamPort) = try await startFakeUpstream(folder: folder, http: http)
            let loupe = try await LoupeInstance.start(storeURL: "sqlite:\(database)", upstreamPort: upstreamPort, folder: folder.appendingPathComponent("loupe"), http: http)
            let load = LoadGenerator(targets: [loupe.baseURL])
            let running = Task { await load.run(clients: 8, http: http) }
            try await load.waitForSuccesses(100)
            // Past the last flush window, so some answered calls must already be on disk.
            try await Task.sleep(for: .milliseconds(700))
            let killedAt = ContinuousClock.now
            loupe.process.signal(SIGKILL)
            _ = await loupe.process.waitForExit()
            load.stop()
            await running.value
            upstream.signal(SIGTERM)
            return (load, killedAt)
        }
        let store = try SQLiteTraceStore(path: database)
        #expect(try await store.integrityCheck() == "ok")
        // The writer flushes every 50 ms; anything answered well before the kill must be on disk.
        let settled = load.successes.filter { $0.completed < killedAt - .milliseconds(500) }
        #expect(settled.count > 50)
        var missing = 0
        for success in settled where try await store.trace(id: success.traceID) == nil { missing += 1 }
        #expect(missing == 0, "\(missing) of \(settled.count) calls answered before the last flush window have no trace")
    }
}
