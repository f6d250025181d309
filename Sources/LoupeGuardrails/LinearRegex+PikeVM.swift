extension LinearRegex {
    /// Whether `assertion` holds between the byte `previous` and the byte `next` (nil: the text's edge).
    @inline(__always)
    static func holds(_ assertion: Assertion, previous: UInt8?, next: UInt8?) -> Bool {
        switch assertion {
        case .textStart: return previous == nil
        case .textEnd: return next == nil
        case .lineStart: return previous == nil || previous == 0x0A
        case .lineEnd: return next == nil || next == 0x0A
        case .wordBoundary: return isWordByte(previous) != isWordByte(next)
        case .notWordBoundary: return isWordByte(previous) == isWordByte(next)
        }
    }

    /// `[0-9A-Za-z_]`, the ASCII word characters of `\w` and `\b`.
    @inline(__always)
    static func isWordByte(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
    }

    /// A Pike VM: it runs every thread of the NFA in lockstep over the text, one byte at a time, keeping
    /// at most one thread per instruction, so its work is bounded by text length × program size.
    ///
    /// Threads are kept in priority order, which gives leftmost-first matches: when a thread matches,
    /// the threads behind it lose. Unlike a plain Pike VM it does not restart after each match: it
    /// keeps starting threads at every position and holds matches as pending until every thread that
    /// could still beat them has died. Restarting would rescan text after each match, which is
    /// quadratic for patterns such as `a.*z|a`, where a losing thread runs on long after a match.
    final class PikeVM {
        private let program: Program
        /// Storage for the two thread lists; `run` works on copies of these handles in local variables,
        /// since a class's `var`s would cost an exclusivity check on every access.
        private let lists: (ThreadList, ThreadList)
        /// Closure work stack; each instruction pushes at most two entries, once per closure.
        private let stack: UnsafeMutablePointer<Int32>

        init(program: Program) {
            self.program = program
            let size = program.instructions.count
            // Twice the program: after a cut, the new thread may list an instruction a second time.
            lists = (ThreadList(capacity: 2 * size), ThreadList(capacity: 2 * size))
            stack = .allocate(capacity: 4 * size + 2)
        }

        deinit {
            lists.0.deallocate()
            lists.1.deallocate()
            stack.deallocate()
        }

        /// Runs from `start` (with no thread alive there) and reports matches in order until `report`
        /// returns false or the text ends (returns nil). With `stopWhenIdle`, it returns the position
        /// where no thread is alive and no match is pending, so that the caller's DFA can take over.
        func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, stopWhenIdle: Bool, report: (Range<Int>) -> Bool) -> Int? {
            var current = lists.0
            var next = lists.1
            var pending = PendingMatches()
            let end = text.count
            var position = start
            let firstBytes = program.firstBytes
            let skipsByFirstByte = !firstBytes.isFull
            return program.instructions.withUnsafeBufferPointer { instructions -> Int? in
                program.byteSets.withUnsafeBufferPointer { byteSets -> Int? in
                    let machine = Machine(instructions: instructions, byteSets: byteSets, start: program.start, stack: stack, text: text)
                    while true {
                        machine.step(&current, into: &next, pending: &pending, at: position)
                        // Report the pending matches that no live thread can beat any more.
                        while let first = pending.first, next.count == 0 || next.starts[0] >= first.upperBound {
                            pending.removeFirst()
                            if !report(first) { return nil }
                        }
                        if position >= end { return nil }
                        swap(&current, &next)
                        next.count = 0
                        position += 1
                        if current.count == 0 && pending.isEmpty {
                            if stopWhenIdle { return position }
                            // No thread alive: jump to the next byte that can begin a match.
                            if skipsByFirstByte {
                                while position < end, !firstBytes.contains(text[position]) { position += 1 }
                                if position == end { return nil }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The Pike VM's inner loop over raw buffers.
    private struct Machine {
        let instructions: UnsafeBufferPointer<Instruction>
        let byteSets: UnsafeBufferPointer<UInt64>
        let start: Int32
        let stack: UnsafeMutablePointer<Int32>
        let text: UnsafeBufferPointer<UInt8>

        @inline(__always)
        func accepts(_ instruction: Instruction, _ byte: UInt8) -> Bool {
            if instruction.operation == .byteRange { return instruction.low <= byte && byte <= instruction.high }
            return byteSets[Int(instruction.other) &* 4 &+ Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0
        }

        /// Advances every thread in `current` over the byte at `position` into `next`, then does the
        /// same for a thread starting at `position`.
        @inline(__always)
        func step(_ current: inout ThreadList, into next: inout ThreadList, pending: inout PendingMatches, at position: Int) {
            let byte: UInt8? = position < text.count ? text[position] : nil
            var index = 0
            var cut = false
            while index < current.count {
                let instruction = instructions[Int(current.dense[index])]
                switch instruction.operation {
                case .match:
                    let matchStart = current.starts[index]
                    // An empty match is never reported; the threads behind it carry on.
                    if matchStart < position {
                        pending.record(matchStart..<position)
                        // Lower-priority threads lose to this match. Truncating also takes their
                        // instructions out of the set, so the new thread below is not merged into them.
                        current.count = index + 1
                        cut = true
                    }
                case .byteRange, .byteSet:
                    if let byte, accepts(instruction, byte) {
                        addThread(to: &next, instruction.next, start: current.starts[index], at: position + 1)
                    }
                case .split, .assertion:
                    break
                }
                index += 1
            }
            // The thread starting here has the lowest priority. Where it reaches a byte-consuming
            // instruction an older thread holds, it would do exactly as that thread does, so it can be
            // dropped. After a cut that is not true of splits: an older thread may have passed one whose
            // other branch was cut, so the new thread goes through splits again.
            let firstNew = current.count
            addThread(to: &current, start, start: position, at: position, revisitingBefore: cut ? firstNew : 0)
            guard let byte else { return }
            for index in firstNew..<current.count {
                let instruction = instructions[Int(current.dense[index])]
                if instruction.operation.rawValue <= Instruction.Operation.byteSet.rawValue, accepts(instruction, byte) {
                    addThread(to: &next, instruction.next, start: position, at: position + 1)
                }
            }
        }

        /// Adds the thread at `entry` and everything reachable from it without consuming a byte, in
        /// priority order (depth-first, preferred branch first). Splits and assertions listed before
        /// `revisitingBefore` are gone through again.
        @inline(__always)
        func addThread(to list: inout ThreadList, _ entry: Int32, start: Int, at position: Int, revisitingBefore floor: Int = 0) {
            stack[0] = entry
            var top = 1
            while top > 0 {
                top -= 1
                let index = stack[top]
                let instruction = instructions[Int(index)]
                let consumes = instruction.operation.rawValue <= Instruction.Operation.byteSet.rawValue || instruction.operation == .match
                if list.contains(index, from: consumes ? 0 : floor) { continue }
                list.insert(index, start: start)
                switch instruction.operation {
                case .split:
                    stack[top] = instruction.other
                    stack[top + 1] = instruction.next
                    top += 2
                case .assertion:
                    let previous: UInt8? = position > 0 ? text[position - 1] : nil
                    let following: UInt8? = position < text.count ? text[position] : nil
                    if LinearRegex.holds(Assertion(rawValue: instruction.low)!, previous: previous, next: following) {
                        stack[top] = instruction.next
                        top += 1
                    }
                default:
                    break
                }
            }
        }
    }

    /// Matches found but not yet final, in text order. Each one's threads, those that could still
    /// replace it with a better match, started before its end. There can be one per byte
    /// (`a.*z|a` over `aaaa…`, until the `.*z` thread dies), so lookups are binary.
    struct PendingMatches {
        private var matches: [Range<Int>] = []
        private var head = 0

        var isEmpty: Bool { head == matches.count }
        var first: Range<Int>? { isEmpty ? nil : matches[head] }

        mutating func removeFirst() {
            head += 1
            if head == matches.count {
                matches.removeAll(keepingCapacity: true)
                head = 0
            }
        }

        /// Records a match: it replaces the pending match whose threads produced it, and drops the
        /// pending matches after that one, which overlap it or were found by lower-priority threads.
        mutating func record(_ match: Range<Int>) {
            // The first pending match ending after this one's start; ends increase along the list.
            var low = head
            var high = matches.count
            while low < high {
                let middle = (low + high) / 2
                if matches[middle].upperBound <= match.lowerBound { low = middle + 1 } else { high = middle }
            }
            if low < matches.count {
                matches[low] = match
                matches.removeSubrange((low + 1)...)
            } else {
                matches.append(match)
            }
        }
    }

    /// A sparse set of instruction indices with each thread's start, in insertion (priority) order;
    /// clearing it is O(1), which keeps each step proportional to the live threads. A value type over
    /// memory that `PikeVM` owns.
    struct ThreadList {
        let sparse: UnsafeMutablePointer<Int32>
        let dense: UnsafeMutablePointer<Int32>
        let starts: UnsafeMutablePointer<Int>
        var count = 0

        init(capacity: Int) {
            // Only `sparse` is read before being written (and checked against `dense`, so any value
            // would do); `dense` and `starts` are read below `count` only.
            sparse = .allocate(capacity: capacity)
            sparse.initialize(repeating: 0, count: capacity)
            dense = .allocate(capacity: capacity)
            starts = .allocate(capacity: capacity)
        }

        func deallocate() {
            sparse.deallocate()
            dense.deallocate()
            starts.deallocate()
        }

        /// Whether `index` is listed at or after position `floor`.
        @inline(__always)
        func contains(_ index: Int32, from floor: Int = 0) -> Bool {
            let slot = Int(sparse[Int(index)])
            return slot >= floor && slot < count && dense[slot] == index
        }

        @inline(__always)
        mutating func insert(_ index: Int32, start: Int) {
            sparse[Int(index)] = Int32(count)
            dense[count] = index
            starts[count] = start
            count += 1
        }
    }
}
