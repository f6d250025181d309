import CZlib

/// Gzip (and zlib) decompression through the system zlib, bounded so a small bomb cannot fill memory.
public enum Gzip {
    /// The inflated bytes of `compressed`; throws when it is not gzip or inflates past `limit` bytes.
    public static func decompress(_ compressed: [UInt8], limit: Int) throws(OTLPDecodeError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: a zlib window of 2^15, with the gzip or zlib header detected automatically.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw OTLPDecodeError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = compressed
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while true {
                let result = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return Z_BUF_ERROR - 100 }
                if result == Z_STREAM_END { return Z_STREAM_END }
                if result != Z_OK { return result }
                if stream.avail_in == 0 && produced == 0 { return Z_DATA_ERROR }  // truncated
            }
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_BUF_ERROR - 100: throw OTLPDecodeError("the body inflates past \(limit) bytes")
        default: throw OTLPDecodeError("the body is not valid gzip (zlib status \(status))")
        }
    }
}
