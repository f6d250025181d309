import LoupeCore
import LoupePrompts
import Synchronization

/// Compiled prompt versions for the proxy, so that a request renders without touching the store.
/// Everything is dropped when the registry changes: at once for changes made through this instance,
/// and within `PromptCacheRefresher`'s interval for changes made through any other.
final class PromptCache: Sendable {
    private struct Key: Hashable {
        var name: String
        var selector: PromptSelector
    }

    private struct State {
        var renderers: [Key: PromptRenderer] = [:]
        /// Bumped by every invalidation, so that a lookup that raced one does not cache a stale version.
        var generation = 0
        var revision: Int64?
    }

    private let store: any PromptStore
    private let state = Mutex(State())

    init(store: any PromptStore) {
        self.store = store
    }

    /// The compiled version `selector` picks, or nil when there is none.
    func renderer(name: String, selector: PromptSelector) async throws -> PromptRenderer? {
        let key = Key(name: name, selector: selector)
        let (cached, generation) = state.withLock { ($0.renderers[key], $0.generation) }
        if let cached { return cached }
        guard let renderer = try await store.renderer(name: name, selector) else { return nil }
        state.withLock { if $0.generation == generation { $0.renderers[key] = renderer } }
        return renderer
    }

    /// Drops every compiled version.
    func invalidate() {
        state.withLock {
            $0.renderers.removeAll()
            $0.generation += 1
        }
    }

    /// Drops every compiled version if the registry changed since the last look, or if this is the first look that
    /// succeeded: versions cached before it (the store not migrated yet, or away) may predate changes it cannot see.
    func refresh() async throws {
        let revision = try await store.promptsRevision()
        let changed = state.withLock { state in
            defer { state.revision = revision }
            return state.revision != revision
        }
        if changed { invalidate() }
    }
}
