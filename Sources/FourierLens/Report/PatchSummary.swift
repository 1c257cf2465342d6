/// summary.json of `fourierlens patch`, which the Python package writes
/// (notebooks-export/fourierlens/patch_report.py): the part a study reads back.
public struct PatchSummary: Codable, Sendable {
    public let tool: String, command: String
    /// 1 / the number of numbers: the accuracy of a guess.
    public let chance: Double?
    public let numbers: Int, prompts: Int
}
