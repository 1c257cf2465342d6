@testable import FourierLens
import Foundation
import Testing

/// A lens shard's `read_token_is_answer`, as `merge` reads it back from summary.json: absent is
/// none, a record is decoded and checked, a null or a bad record is refused naming the key.
@Suite struct ShardReadTokenTests {
    func shard(_ summary: String) throws -> String {
        let folder = try TestPaths.scratchDirectory()
        try Data(summary.utf8).write(to: folder.appendingPathComponent("summary.json"))
        return folder.path
    }

    @Test func aRecordIsReadAndAnAbsentOneIsNone() throws {
        let record = #"{"read_token_is_answer": {"prompts_matching": 3, "prompts": 5, "example_text": "150 apples", "example_token": "150"}}"#
        #expect(try ShardMerge.shardReadToken(try shard(record)) == ReadTokenCheck(matching: 3, prompts: 5, example: (text: "150 apples", token: "150")))
        #expect(try ShardMerge.shardReadToken(try shard(#"{"prompts": 5}"#)) == nil)
    }

    @Test(arguments: [#"{"read_token_is_answer": null}"#, #"{"read_token_is_answer": {"prompts_matching": 6, "prompts": 5}}"#,
                      #"{"read_token_is_answer": {"prompts_matching": -1, "prompts": 5}}"#, #"{"read_token_is_answer": {"prompts": 5}}"#,
                      #"{"read_token_is_answer": [1, 2]}"#])
    func aNullOrBadRecordIsRefused(summary: String) throws {
        let folder = try shard(summary)
        expectBadInput([folder + "/summary.json", "read_token_is_answer", "prompts_matching ≤ prompts"]) { _ = try ShardMerge.shardReadToken(folder) }
    }

    @Test(arguments: ["", "[1]", "not json"])
    func aSummaryThatIsNotAnObjectIsRefused(summary: String) throws {
        let folder = try shard(summary)
        expectBadInput([folder + "/summary.json", "the lens's summary.json"]) { _ = try ShardMerge.shardReadToken(folder) }
    }
}
