import Foundation
@testable import FourierLensStudy
import Testing

/// A task's bad option crosses the process seam as JSON (TaskError): the command writes the option
/// and its value where the study asked, the study names that option's line in the spec.
@Suite struct TaskErrorTests {
    @Test func theCommandWritesTheOptionItsErrorIsAbout() throws {
        let folder = try TestPaths.scratchDirectory()
        let file = folder.appendingPathComponent("error.json").path
        let dump = try TestPaths.fixture("good_dump.h5")
        let result = try runProcess("/usr/bin/env", ["\(TaskError.environmentKey)=\(file)", TestPaths.tool, "spectrum", dump,
                                                     "--fdr", "7", "--out", folder.appendingPathComponent("r").path])
        #expect(result.status == 2)
        #expect(result.stderr == "fourierlens: --fdr must lie in (0, 1) (found 7.0)\n", "the line on stderr is as it was")
        let error = try #require(TaskError.read(file))
        #expect(error == TaskError(option: "--fdr", value: "7", message: "--fdr must lie in (0, 1) (found 7.0)"))
        // An error about no option: both null, written as null.
        let missing = try runProcess("/usr/bin/env", ["\(TaskError.environmentKey)=\(file)", TestPaths.tool, "spectrum", "/nonexistent.h5"])
        #expect(missing.status == 2)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("{\"message\":\"/nonexistent.h5") && text.contains("\"option\":null,\"value\":null}"), "\(text)")
        // Without the variable nothing is written.
        try FileManager.default.removeItem(atPath: file)
        _ = try runTool("spectrum", dump, "--fdr", "7", "--out", folder.appendingPathComponent("r").path)
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    static let spec = """
        title: T
        dumps:
          d:
            path: d.h5
        analyses:
          - kind: lens
            options:
              top: 3
              top-k: 0
        """

    @Test func theOptionIsMatchedByItsWholeName() throws {
        let spec = try StudySpec.parse(Self.spec, file: "s.yaml")
        let run = StudyRun(specPath: "s.yaml", directory: "/tmp/study", executable: "fourierlens", jobs: 1, memoryBudget: 1 << 30,
                           figures: false, quiet: true, validate: { _ in nil })
        let task = StudyTask(id: "lens.d", analysis: "lens", command: "lens", dump: "d", labels: [:], labelOrder: [], arguments: [],
                             inputs: [], dependencies: [], hash: "", memoryEstimate: 0, isShard: false)
        let complaint = "--top-k takes 1 to 1000 tokens (found 0)"
        let error = TaskError(option: "--top-k", value: "0", message: complaint)
        let named = run.failure(task, status: 2, complaint: complaint, error: error, spec: spec).description
        #expect(named.hasPrefix("s.yaml:9: analyses[0].options.top-k: "), "\(named)")
        // Without the file (a crash), the line is searched as before: --top is found in --top-k.
        let searched = run.failure(task, status: 2, complaint: complaint, error: nil, spec: spec).description
        #expect(searched.hasPrefix("s.yaml:8: analyses[0].options.top: "), "\(searched)")
        // An error about no option of the spec names the task.
        let other = run.failure(task, status: 2, complaint: "d.h5: expected a dump", error: TaskError(option: nil, value: nil, message: "d.h5: expected a dump"), spec: spec)
        #expect(other.description.hasPrefix("s.yaml: task lens.d: expected inputs the task accepts"), "\(other)")
    }
}
