import FourierLens
import FourierLensStudy
import Foundation

/// One input as a study spec: written as spec.yaml in a scratch folder that holds a tiny dump
/// (dump.h5) and model folder (model/), then parsed and planned as `run --dry-run` and
/// `--tasks-json` do. No task runs. Any outcome is fine except a crash, a trap or a hang.
enum SpecFuzzer {
    static let folder: String = {
        let folder = FuzzFixtures.scratch("spec")
        for name in ["dump.h5", "model"] {
            try? FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: FuzzFixtures.folder + "/" + name)
        }
        return folder
    }()

    static func check(data: Data) {
        let spec = folder + "/spec.yaml"
        guard FileManager.default.createFile(atPath: spec, contents: data) else { return }
        defer { unlink(spec) }
        let study = StudyRun(specPath: spec, directory: folder + "/study", executable: "fourierlens", jobs: 1, memoryBudget: 1 << 30,
                             figures: false, quiet: true, validate: { _ in nil })
        guard let plan = try? study.plan() else { return }
        _ = try? study.tasksJSON(plan)
        for task in plan.tasks { _ = task.commandLine(executable: "fourierlens", studyDirectory: study.directory, figures: false) }
    }
}
