extension LinearRegex {
    /// A DFA, built once when the pattern compiles, that answers "does a non-empty match end anywhere
    /// ahead?" at one table lookup per byte, and where the Pike VM should start to find it.
    ///
    /// A state is the set of instructions that threads will be at, plus what the previous byte was
    /// (text start, newline, word byte, other) so that `^`, `$` and `\b` can be decided when the next
    /// byte is known. Search is unanchored: every step also starts a new thread. Bytes are grouped into
    /// classes that no instruction or assertion tells apart, which keeps the table small.
    ///
    /// Some patterns have exponentially many states (`(.*a){12}`); past `maxStates` the DFA is not
    /// built and the Pike VM scans alone, still in linear time, only slower.
    struct DFA: Sendable {
        /// The class of each byte value.
        private let classes: [UInt8]
        private let classCount: Int
        /// `state * classCount + class`: the next state times `classCount`, or -1 when a match ends
        /// just before the byte.
        private let table: [Int32]
        /// Whether a match ends at the end of the text, by state.
        private let matchesAtEnd: [Bool]
        /// Bytes that leave every idle state idle, when they are most bytes (`sk-…` starts only at `s`):
        /// runs of them are skipped without walking the table, about three times as fast.
        private let skippable: [Bool]?

        /// Whether idle stretches are skipped without the table (see `skippable`).
        var skipsMostBytes: Bool { skippable != nil }

        /// Enough for `AKIA[0-9A-Z]{16}` (2,471 states); `\b(?:\d[ -]?){13,16}\b` needs ten times more.
        static let maxStates = 4_096
        /// Instructions visited while building, beyond which the DFA is given up on: 10 to 30 ms.
        static let maxWork = 2_000_000

        /// The previous byte's kind; states 0...3 are the idle states (no thread alive) for each.
        private enum Context: Int32, CaseIterable {
            case textStart, afterNewline, afterWord, afterOther

            init(previous byte: UInt8?) {
                guard let byte else { self = .textStart; return }
                self = byte == 0x0A ? .afterNewline : LinearRegex.isWordByte(byte) ? .afterWord : .afterOther
            }

            /// A byte standing for this kind, for deciding assertions.
            var sample: UInt8? {
                switch self {
                case .textStart: nil
                case .afterNewline: 0x0A
                case .afterWord: 0x61
                case .afterOther: 0x20
                }
            }
        }

        private struct State: Hashable {
            var context: Context
            /// Sorted instruction indices that threads are at, before following splits and assertions.
            var threads: [Int32]
        }

        init?(program: Program) {
            let classes = Self.byteClasses(program)
            let classCount = Int(classes[255]) + 1
            var samples = [UInt8](repeating: 0, count: classCount)
            for byte in (0...255).reversed() { samples[Int(classes[byte])] = UInt8(byte) }

            var builder = Builder(program: program)
            var states: [State] = Context.allCases.map { State(context: $0, threads: []) }
            var index: [State: Int32] = [:]
            for (number, state) in states.enumerated() { index[state] = Int32(number) }
            var table: [Int32] = []
            var matchesAtEnd: [Bool] = []

            var number = 0
            var successorThreads: [Int32] = []
            var successorStamp = [Int](repeating: -1, count: program.instructions.count)
            var transitions = 0
            while number < states.count {
                let state = states[number]
                number += 1
                matchesAtEnd.append(builder.closure(of: state.threads, previous: state.context.sample, next: nil))
                // Assertions see only whether the next byte is a newline, a word byte or another, so
                // one closure per kind serves every byte class of that kind.
                var closures: [(consuming: [Int32], matched: Bool)?] = [nil, nil, nil, nil]
                for byteClass in 0..<classCount {
                    // Counted as instructions visited plus the successors' sizes, which hashing costs.
                    guard builder.visits < Self.maxWork else { return nil }
                    let byte = samples[byteClass]
                    let kind = Context(previous: byte)
                    if closures[Int(kind.rawValue)] == nil {
                        let matched = builder.closure(of: state.threads, previous: state.context.sample, next: byte)
                        closures[Int(kind.rawValue)] = (builder.consuming, matched)
                    }
                    let (closure, matched) = closures[Int(kind.rawValue)]!
                    if matched {
                        table.append(-1)
                        continue
                    }
                    transitions += 1
                    successorThreads.removeAll(keepingCapacity: true)
                    for instruction in closure {
                        let step = program.instructions[Int(instruction)]
                        if program.accepts(step, byte), successorStamp[Int(step.next)] != transitions {
                            successorStamp[Int(step.next)] = transitions
                            successorThreads.append(step.next)
                        }
                    }
                    successorThreads.sort()
                    builder.visits += closure.count + successorThreads.count
                    let successor = State(context: kind, threads: successorThreads)
                    if let existing = index[successor] {
                        table.append(existing * Int32(classCount))
                    } else {
                        guard states.count < Self.maxStates else { return nil }
                        index[successor] = Int32(states.count)
                        table.append(Int32(states.count * classCount))
                        states.append(successor)
                    }
                }
            }
            self.classes = classes
            self.classCount = classCount
            self.table = table
            self.matchesAtEnd = matchesAtEnd
            var skippable = [Bool](repeating: false, count: 256)
            var kept = 0
            for byte in 0...255 {
                let idle = Context.allCases.allSatisfy { context in
                    let successor = table[Int(context.rawValue) * classCount + Int(classes[byte])]
                    return successor >= 0 && successor < Int32(Context.allCases.count * classCount)
                }
                if idle { skippable[byte] = true } else { kept += 1 }
            }
            // A skip loop that stops at every other byte costs more than it saves.
            self.skippable = kept <= 24 ? skippable : nil
        }

        /// Scans from `start`, where no thread is alive. Returns nil when no non-empty match ends at or
        /// after `start`; otherwise the last position before that match's end where no thread was
        /// alive, from which the Pike VM finds the match.
        func scan(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
            let idleLimit = Int32(Context.allCases.count * classCount)
            let classCount = Int32(self.classCount)
            var state = Context(previous: start > 0 ? text[start - 1] : nil).rawValue * classCount
            var lastIdle = start
            let found: Bool = table.withUnsafeBufferPointer { table in
                classes.withUnsafeBufferPointer { classes in
                    (skippable ?? []).withUnsafeBufferPointer { skippable in
                        let skips = !skippable.isEmpty
                        var position = start
                        let end = text.count
                        while position < end {
                            if skips, state < idleLimit, skippable[Int(text[position])] {
                                position &+= 1
                                while position < end, skippable[Int(text[position])] { position &+= 1 }
                                // Skipped bytes lead from idle to idle; which idle state depends on the last one.
                                state = Context(previous: text[position - 1]).rawValue * classCount
                                lastIdle = position
                                if position == end { break }
                            }
                            let successor = table[Int(state) &+ Int(classes[Int(text[position])])]
                            if successor < 0 { return true }
                            state = successor
                            position &+= 1
                            if successor < idleLimit { lastIdle = position }
                        }
                        return matchesAtEnd[Int(state / classCount)]
                    }
                }
            }
            return found ? lastIdle : nil
        }

        /// Splits bytes into classes: runs that every instruction, and the word and newline tests,
        /// treat alike. `classes[b]` is the class of byte `b`, numbered from 0 in byte order.
        private static func byteClasses(_ program: Program) -> [UInt8] {
            var boundaries = [Bool](repeating: false, count: 257)
            func split(_ range: ClosedRange<Int>) {
                boundaries[range.lowerBound] = true
                boundaries[range.upperBound + 1] = true
            }
            for range in [0x0A...0x0A, 0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A] { split(range) }
            for instruction in program.instructions {
                switch instruction.operation {
                case .byteRange where instruction.low <= instruction.high:
                    split(Int(instruction.low)...Int(instruction.high))
                case .byteSet:
                    for byte in 1...255 where program.accepts(instruction, UInt8(byte)) != program.accepts(instruction, UInt8(byte - 1)) {
                        boundaries[byte] = true
                    }
                default:
                    break
                }
            }
            var classes = [UInt8](repeating: 0, count: 256)
            var current = 0
            for byte in 1...255 {
                if boundaries[byte] { current += 1 }
                classes[byte] = UInt8(current)
            }
            return classes
        }

        /// Follows splits and assertions from a state's threads, with scratch reused across calls.
        private struct Builder {
            let program: Program
            var seen: [UInt32]
            var generation: UInt32 = 0
            var stack: [Int32] = []
            /// Work done so far, to give up on DFAs too costly to build.
            var visits = 0

            init(program: Program) {
                self.program = program
                seen = [UInt32](repeating: 0, count: program.instructions.count)
            }

            /// Collects in `consuming` the byte-consuming instructions reachable from `threads` and from
            /// a new thread, between `previous` and `next` (nil: the text's edge). Returns whether one of
            /// `threads` (which have consumed at least a byte) reaches the match.
            var consuming: [Int32] = []

            mutating func closure(of threads: [Int32], previous: UInt8?, next: UInt8?) -> Bool {
                generation += 1
                consuming.removeAll(keepingCapacity: true)
                var matched = false
                // Old threads first: a new thread reaching the match would be an empty match.
                for countsMatch in [true, false] {
                    if countsMatch { stack.append(contentsOf: threads) } else { stack.append(program.start) }
                    while let index = stack.popLast() {
                        visits += 1
                        guard seen[Int(index)] != generation else { continue }
                        seen[Int(index)] = generation
                        let instruction = program.instructions[Int(index)]
                        switch instruction.operation {
                        case .split:
                            stack.append(instruction.other)
                            stack.append(instruction.next)
                        case .assertion:
                            if LinearRegex.holds(Assertion(rawValue: instruction.low)!, previous: previous, next: next) {
                                stack.append(instruction.next)
                            }
                        case .match:
                            if countsMatch { matched = true }
                        case .byteRange, .byteSet:
                            consuming.append(index)
                        }
                    }
                }
                return matched
            }
        }
    }
}
