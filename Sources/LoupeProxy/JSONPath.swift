import LoupeCore

/// The location of a value inside a JSON document, such as `messages[2].content`.
public struct JSONPath: Sendable, Hashable {
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var steps: [Step]

    public init(_ steps: [Step]) {
        self.steps = steps
    }

    func appending(_ step: Step) -> JSONPath { JSONPath(steps + [step]) }
}

extension JSONValue {
    /// The value at `path`, or nil.
    public subscript(path path: JSONPath) -> JSONValue? {
        var current = self
        for step in path.steps {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let next = members[key] else { return nil }
                current = next
            case (.index(let index), .array(let items)):
                guard items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Replaces the value at `path`, adding its last key to an object that lacks it; does nothing when
    /// the rest of the path does not exist.
    public mutating func set(_ value: JSONValue, at path: JSONPath) {
        set(value, at: path.steps[...])
    }

    private mutating func set(_ value: JSONValue, at steps: ArraySlice<JSONPath.Step>) {
        guard let step = steps.first else {
            self = value
            return
        }
        switch (step, self) {
        case (.key(let key), .object(var members)):
            // The last key may be new (a stream's final `delta: {}` gains the held-back `content`).
            guard var child = members[key] ?? (steps.count == 1 ? .null : nil) else { return }
            child.set(value, at: steps.dropFirst())
            members[key] = child
            self = .object(members)
        case (.index(let index), .array(var items)):
            guard items.indices.contains(index) else { return }
            items[index].set(value, at: steps.dropFirst())
            self = .array(items)
        default:
            return
        }
    }
}
