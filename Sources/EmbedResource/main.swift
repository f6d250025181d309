// Writes a Swift file that holds the bytes of a data file as a string literal,
// so the `loupe` binary carries its data and needs no resource bundle beside it.
// Usage: EmbedResource INPUT OUTPUT SYMBOL
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: EmbedResource INPUT OUTPUT SYMBOL\n".utf8))
    exit(64)
}
let input = URL(fileURLWithPath: arguments[1])
let output = URL(fileURLWithPath: arguments[2])
let symbol = arguments[3]

let text: String
do {
    text = try String(contentsOf: input, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("EmbedResource: cannot read \(input.path): \(error)\n".utf8))
    exit(1)
}
// A raw string with enough `#` that no sequence in the data can close it early.
var hashes = "#"
while text.contains("\"" + hashes) { hashes += "#" }
let source = """
    // Generated from \(input.lastPathComponent) by the EmbedResource build tool. Do not edit.
    let \(symbol): String = \(hashes)\"\"\"
    \(text)
    \"\"\"\(hashes)

    """
do {
    try source.write(to: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("EmbedResource: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
