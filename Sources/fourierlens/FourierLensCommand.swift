import ArgumentParser
import FourierLens

struct FourierLensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fourierlens",
        abstract: "Fourier and representation probing of language-model dumps (HDF5).",
        discussion: "Exit codes: 0 success, 2 bad input or usage, 1 internal error. See docs/CLI.md.",
        version: BuildIdentity.version,
        subcommands: [InspectCommand.self, SpectrumCommand.self, CompareCommand.self, ProbeCommand.self, LensCommand.self, FilterCommand.self, PatchCommand.self, BooleanCommand.self, MergeCommand.self, RunCommand.self, BenchmarkSgemmCommand.self, StreamCheckCommand.self]
    )
}
