#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Random bytes from the system's cryptographic generator, fetched 4 KiB at a time: one system call for 256 trace
/// ids, where `SystemRandomNumberGenerator` makes one for every eight bytes.
public final class RandomBytes: Sendable {
    /// The pool every id in the process draws from.
    public static let shared = RandomBytes()

    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096
    }
    private let pool = Mutex(Pool())

    /// Sixteen random bytes, as two words.
    public func next128() -> (UInt64, UInt64) {
        pool.withLock { pool in
            if pool.used + 16 > pool.bytes.count {
                pool.bytes.withUnsafeMutableBytes(Self.fill)
                pool.used = 0
            }
            defer { pool.used += 16 }
            return pool.bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: pool.used, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: pool.used + 8, as: UInt64.self))
            }
        }
    }

    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc)
        // glibc's arc4random_buf reads the kernel's generator (getrandom) until the buffer is full.
        arc4random_buf(buffer.baseAddress!, buffer.count)
        #else
        var generator = SystemRandomNumberGenerator()
        for offset in stride(from: 0, to: buffer.count, by: 8) {
            buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
        }
        #endif
    }
}
