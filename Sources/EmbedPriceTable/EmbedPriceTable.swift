import PackagePlugin

/// Embeds a target's `prices.json` as Swift source at build time.
@main
struct EmbedPriceTable: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let input = target.directoryURL.appending(path: "prices.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInPriceTableData.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(input.lastPathComponent)",
                executable: try context.tool(named: "EmbedResource").url,
                arguments: [input.path(), output.path(), "builtInPriceTableJSON"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
