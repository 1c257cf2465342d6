import ArgumentParser
import FourierLens
import Foundation

/// `fourierlens patch`: the model runs where the model lives, in the Python package. This
/// command checks its options and hands the run to `python -m fourierlens patch` (the same
/// process id, by exec), so that a study runs patch tasks like any other command.
struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Patch filtered activations (fourierlens filter) back into the model and measure the patched model.",
        discussion: """
        Re-runs the dump's prompts with each filtered site replaced at its readout position and \
        measures the model: number accuracy (exact, ±2, ±10), vocabulary accuracy, loss and KL to \
        the unpatched model (Zhou et al. 2024, Table 1). Runs `python -m fourierlens patch` (the \
        Python from --python, FOURIERLENS_PYTHON, this checkout's .venv or python3). Writes \
        patch.csv, patch_prompts.h5, summary.json and index.html.
        """
    )

    @Argument(help: "The dump the filtered activations were computed from.")
    var dump: String

    @Argument(help: "Filter reports (folders) or their filtered.h5.")
    var filtered: [String]

    @Option(help: "The model folder the dump was exported from (a Hugging Face checkpoint, config.json inside).")
    var model: String

    @Flag(help: "Patch every readout of a filtered dump in one forward pass (default: as filtered, --joint or not).")
    var together = false

    @Flag(help: "Patch each readout of a filtered dump on its own.")
    var each = false

    @Option(help: "Prompts per forward pass.")
    var batchSize = 64

    @Option(help: "The Python with the fourierlens package (default: FOURIERLENS_PYTHON, this checkout's .venv, python3).")
    var python: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if together && each { throw ValidationError("give at most one of --together and --each") }
        if !(1...65_536).contains(batchSize) { throw ValidationError("--batch-size takes 1 to 65536 prompts (found \(batchSize))") }
        // The patch page is written by the Python package, which does not take them: refused, not ignored.
        if output.title != nil || !output.labels.isEmpty { throw ValidationError("patch takes no --title or --label (its page is written by the Python package)") }
    }

    func run() throws {
        let interpreter = try Self.interpreter(python)
        var arguments = [interpreter, "-m", "fourierlens", "patch", dump] + filtered
        arguments += ["--model", model, "--out", output.out ?? "reports/\(stem(dump))-patch", "--batch-size", String(batchSize)]
        if together { arguments.append("--together") }
        if each { arguments.append("--each") }
        for (flag, on) in [("--force", output.force), ("--quiet", output.quiet), ("--json", output.json)] where on { arguments.append(flag) }
        setenv("FOURIERLENS_BIN", RunCommand.executablePath, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        execvp(interpreter, argv)
        throw FourierLensError.badInput(file: interpreter, dataset: "-", expected: "a Python to run (exec failed: \(String(cString: strerror(errno))))")
    }

    /// The folder of the Python package `fourierlens` that patch runs (nil when there is none).
    static func packageFolder() -> String? {
        guard let python = try? interpreter(nil) else { return nil }
        let probe = Process(), pipe = Pipe()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [python, "-c", "import fourierlens, os; print(os.path.dirname(os.path.abspath(fourierlens.__file__)))"]
        probe.standardInput = FileHandle.nullDevice
        probe.standardOutput = pipe
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        let folder = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return probe.terminationStatus == 0 && !folder.isEmpty ? folder : nil
    }

    /// The .venv of the checkout this binary was built in (.build/…/release/fourierlens), if any.
    static var checkoutPython: String? {
        var folder = URL(fileURLWithPath: RunCommand.executablePath).deletingLastPathComponent()
        while folder.path != "/" {
            let python = folder.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: python) && FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return python
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// The Python to run, checked to import the package (one line naming it when not).
    static func interpreter(_ given: String?) throws -> String {
        let environment = ProcessInfo.processInfo.environment["FOURIERLENS_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let python = given ?? environment ?? checkoutPython ?? "python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [python, "-c", "import fourierlens.patch, importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"]
        probe.standardInput = FileHandle.nullDevice
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch {
            throw FourierLensError.badInput(file: python, dataset: "-", expected: "a Python with the fourierlens package (it could not be started)")
        }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            throw FourierLensError.badInput(file: python, dataset: "-",
                                            expected: "a Python with the fourierlens package and torch (make setup makes .venv; or give --python or FOURIERLENS_PYTHON)")
        }
        return python
    }
}
