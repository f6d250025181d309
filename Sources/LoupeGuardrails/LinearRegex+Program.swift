extension LinearRegex {
    /// One step of a compiled pattern. Every byte-consuming instruction consumes exactly one UTF-8
    /// byte, so all threads of the Pike VM move in lockstep.
    struct Instruction {
        enum Operation: UInt8 {
            /// Consumes a byte in `low...high`, then goes to `next`.
            case byteRange
            /// Consumes a byte in the 256-bit set number `other`, then goes to `next`.
            case byteSet
            /// Tries `next` first, then `other`: the order is what makes matching leftmost-first.
            case split
            /// Goes on to `next` if the assertion numbered `low` holds here.
            case assertion
            /// The thread has matched.
            case match
        }

        var operation: Operation
        var low: UInt8 = 0
        var high: UInt8 = 0
        var next: Int32 = 0
        var other: Int32 = 0
    }

    /// A compiled pattern: instructions, the byte sets they refer to, and where to start.
    struct Program: Sendable {
        var instructions: [Instruction]
        /// Four 64-bit words per set.
        var byteSets: [UInt64]
        var start: Int32
        /// Bytes that can begin a non-empty match (assertions ignored, so it may hold too many).
        var firstBytes: ByteBitmap

        /// Whether `instruction`, which consumes a byte, accepts `byte`.
        @inline(__always)
        func accepts(_ instruction: Instruction, _ byte: UInt8) -> Bool {
            if instruction.operation == .byteRange { return instruction.low <= byte && byte <= instruction.high }
            return byteSets[Int(instruction.other) &* 4 &+ Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0
        }
    }

    /// 256 bits, one per byte value.
    struct ByteBitmap: Equatable, Sendable {
        private(set) var words: [UInt64] = [0, 0, 0, 0]

        @inline(__always)
        func contains(_ byte: UInt8) -> Bool {
            words.withUnsafeBufferPointer { $0[Int(byte >> 6)] & (1 << UInt64(byte & 63)) != 0 }
        }

        mutating func insert(_ range: ClosedRange<UInt8>) {
            for byte in range { words[Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
        }

        var isFull: Bool { words.allSatisfy { $0 == .max } }
    }

    /// Turns a parsed pattern into a program, back to front: each node is compiled knowing the
    /// instruction that follows it, which makes loops and alternatives need no patching of jumps.
    struct Compiler {
        private var instructions: [Instruction] = []
        private var byteSets: [UInt64] = []
        private let maxSize: Int
        /// The quantifier being expanded, to say which one made the program too large.
        private var repetitionOffset = 0
        private var repetitionDepth = 0

        static func compile(_ node: Node, maxSize: Int) throws(SyntaxError) -> Program {
            var compiler = Compiler(maxSize: maxSize)
            let match = try compiler.emit(Instruction(operation: .match))
            let start = try compiler.compile(node, next: match)
            var program = Program(instructions: compiler.instructions, byteSets: compiler.byteSets, start: start, firstBytes: ByteBitmap())
            program.firstBytes = Self.firstBytes(of: program)
            return program
        }

        private init(maxSize: Int) {
            self.maxSize = maxSize
        }

        private mutating func emit(_ instruction: Instruction) throws(SyntaxError) -> Int32 {
            guard instructions.count < maxSize else {
                throw SyntaxError(
                    "pattern too large: it compiles to more than \(maxSize) instructions; a counted repetition such as the one at \(repetitionOffset) copies its operand, so lower the count or repeat a smaller part",
                    at: repetitionOffset)
            }
            instructions.append(instruction)
            return Int32(instructions.count - 1)
        }

        private mutating func split(prefer: Int32, other: Int32) throws(SyntaxError) -> Int32 {
            try emit(Instruction(operation: .split, next: prefer, other: other))
        }

        /// Returns the entry of `node`'s code, which continues at `next`.
        private mutating func compile(_ node: Node, next: Int32) throws(SyntaxError) -> Int32 {
            switch node {
            case .empty:
                return next
            case .assertion(let assertion):
                return try emit(Instruction(operation: .assertion, low: assertion.rawValue, next: next))
            case .scalars(let set):
                return try compile(set, next: next)
            case .concatenation(let items):
                var entry = next
                for item in items.reversed() { entry = try compile(item, next: entry) }
                return entry
            case .alternation(let alternatives):
                var entry = try compile(alternatives[alternatives.count - 1], next: next)
                for alternative in alternatives.dropLast().reversed() {
                    let first = try compile(alternative, next: next)
                    entry = try split(prefer: first, other: entry)
                }
                return entry
            case .repetition(let body, let min, let max, let greedy, let offset):
                // Errors name the outermost repetition: that is the one whose copies multiply the rest.
                repetitionDepth += 1
                defer { repetitionDepth -= 1 }
                if repetitionDepth == 1 { repetitionOffset = offset }
                var entry = next
                if let max {
                    // x{n,m} is n copies of x, then m-n nested optional copies: x{0,2} = (x(x)?)?.
                    for _ in 0..<(max - min) {
                        let body = try compile(body, next: entry)
                        entry = greedy ? try split(prefer: body, other: next) : try split(prefer: next, other: body)
                    }
                } else {
                    // A loop: `loop: split(body, next)`, with the body continuing back at `loop`.
                    let loop = try emit(Instruction(operation: .split))
                    let bodyEntry = try compile(body, next: loop)
                    instructions[Int(loop)].next = greedy ? bodyEntry : next
                    instructions[Int(loop)].other = greedy ? next : bodyEntry
                    entry = loop
                }
                for _ in 0..<min { entry = try compile(body, next: entry) }
                return entry
            }
        }

        /// One scalar from `set`, as alternatives of UTF-8 byte sequences.
        private mutating func compile(_ set: ScalarSet, next: Int32) throws(SyntaxError) -> Int32 {
            var ascii = ByteBitmap()
            var sequences: [[ClosedRange<UInt8>]] = []
            let nonASCII = set.subtracting(ScalarSet(range: 0...0x7F))
            if nonASCII == ScalarSet(range: 0x80...ScalarSet.maxScalar) {
                // Every non-ASCII scalar (the usual case for `.` and negated classes): match the shape of
                // any UTF-8 sequence, in 3 alternatives instead of the 8 exact ones.
                sequences = [[0xC0...0xDF, 0x80...0xBF], [0xE0...0xEF, 0x80...0xBF, 0x80...0xBF], [0xF0...0xF7, 0x80...0xBF, 0x80...0xBF, 0x80...0xBF]]
            } else {
                for range in nonASCII.ranges { sequences += Self.utf8Sequences(range) }
            }
            for range in set.ranges where range.lowerBound < 0x80 {
                ascii.insert(UInt8(range.lowerBound)...UInt8(min(range.upperBound, 0x7F)))
            }

            // Sequences often end alike (`[80-BF]` then `next`), so identical tails are shared.
            var shared: [Int: Int32] = [:]
            var alternatives: [Int32] = []
            for sequence in sequences {
                var entry = next
                for range in sequence.reversed() {
                    let key = (Int(range.lowerBound) << 48) | (Int(range.upperBound) << 40) | Int(entry)
                    if let existing = shared[key] {
                        entry = existing
                    } else {
                        entry = try emit(Instruction(operation: .byteRange, low: range.lowerBound, high: range.upperBound, next: entry))
                        shared[key] = entry
                    }
                }
                alternatives.append(entry)
            }
            if ascii != ByteBitmap() || sequences.isEmpty {
                alternatives.insert(try compile(ascii, next: next), at: 0)
            }
            var entry = alternatives[alternatives.count - 1]
            for alternative in alternatives.dropLast().reversed() {
                entry = try split(prefer: alternative, other: entry)
            }
            return entry
        }

        /// One byte from `set`: a range when it is one run of bytes, else a bitmap. An empty set
        /// compiles to a range no byte is in, so that `[^\x00-\x{10FFFF}]` simply never matches.
        private mutating func compile(_ set: ByteBitmap, next: Int32) throws(SyntaxError) -> Int32 {
            var runs: [ClosedRange<UInt8>] = []
            var byte = 0
            while byte < 256 {
                guard set.contains(UInt8(byte)) else { byte += 1; continue }
                let start = byte
                while byte < 256, set.contains(UInt8(byte)) { byte += 1 }
                runs.append(UInt8(start)...UInt8(byte - 1))
            }
            switch runs.count {
            case 0: return try emit(Instruction(operation: .byteRange, low: 1, high: 0, next: next))
            case 1: return try emit(Instruction(operation: .byteRange, low: runs[0].lowerBound, high: runs[0].upperBound, next: next))
            default:
                let index = Int32(byteSets.count / 4)
                byteSets += set.words
                return try emit(Instruction(operation: .byteSet, next: next, other: index))
            }
        }

        /// The UTF-8 encodings of a range of scalars above U+007F, as sequences of byte ranges
        /// (the algorithm of RE2 and Rust's utf8-ranges). Surrogates, which UTF-8 cannot hold, are left out.
        static func utf8Sequences(_ range: ClosedRange<UInt32>) -> [[ClosedRange<UInt8>]] {
            var result: [[ClosedRange<UInt8>]] = []
            var pending: [ClosedRange<UInt32>] = [range]
            work: while let range = pending.popLast() {
                let low = range.lowerBound
                let high = range.upperBound
                // Split around the surrogates and at the lengths of encodings.
                if low <= 0xDFFF && high >= 0xD800 {
                    if high > 0xDFFF { pending.append(0xE000...high) }
                    if low < 0xD800 { pending.append(low...0xD7FF) }
                    continue
                }
                for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where low <= boundary && high > boundary {
                    pending.append((boundary + 1)...high)
                    pending.append(low...boundary)
                    continue work
                }
                if high < 0x80 {
                    result.append([UInt8(low)...UInt8(high)])
                    continue
                }
                // Split until every continuation byte position spans either one value or all 64.
                for shift: UInt32 in [6, 12, 18] {
                    let mask: UInt32 = (1 << shift) - 1
                    if low & ~mask != high & ~mask {
                        if low & mask != 0 {
                            pending.append(((low | mask) + 1)...high)
                            pending.append(low...(low | mask))
                            continue work
                        }
                        if high & mask != mask {
                            pending.append((high & ~mask)...high)
                            pending.append(low...((high & ~mask) - 1))
                            continue work
                        }
                    }
                }
                let lowBytes = Array(String(Unicode.Scalar(low)!).utf8)
                let highBytes = Array(String(Unicode.Scalar(high)!).utf8)
                result.append(zip(lowBytes, highBytes).map { $0...$1 })
            }
            return result.sorted { $0[0].lowerBound < $1[0].lowerBound }
        }

        /// The bytes the first consuming instructions accept, following splits and passing assertions.
        private static func firstBytes(of program: Program) -> ByteBitmap {
            var set = ByteBitmap()
            var seen = Set<Int32>()
            var stack = [program.start]
            while let index = stack.popLast() {
                guard seen.insert(index).inserted else { continue }
                let instruction = program.instructions[Int(index)]
                switch instruction.operation {
                case .split: stack += [instruction.next, instruction.other]
                case .assertion: stack.append(instruction.next)
                case .match: break // an empty match is never reported
                case .byteRange where instruction.low <= instruction.high: set.insert(instruction.low...instruction.high)
                case .byteRange: break
                case .byteSet:
                    for byte in 0...255 where program.accepts(instruction, UInt8(byte)) { set.insert(UInt8(byte)...UInt8(byte)) }
                }
            }
            return set
        }
    }
}
