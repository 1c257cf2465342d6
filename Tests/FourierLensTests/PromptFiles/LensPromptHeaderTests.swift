@testable import FourierLens
import Foundation
import Testing

/// lens_prompts.h5's header attribute: written with snake_case keys; a header an older binary
/// wrote (camelCase keys) still reads as the same header, so its shards still merge.
@Suite struct LensPromptHeaderTests {
    let header = LensPromptFile.Header(source: "dump.h5", promptStart: 25, promptEnd: 40, promptsTotal: 40, topK: 10, options: LensOptions(),
                                       sites: ["resid_post"], layers: [1], referenceOnly: 0, numberValues: [0, 1, 2],
                                       sourceSHA256: "ab", vocabulary: 50)

    func keys(_ data: Data) throws -> [String] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys.sorted()
    }

    @Test func writesSnakeCaseKeys() throws {
        let data = try JSONEncoder.sorted.encode(header)
        #expect(try keys(data) == ["layers", "number_values", "options", "prompt_end", "prompt_start", "prompts_total", "reference_only",
                                   "sites", "source", "source_sha256", "top_k", "vocabulary"])
        #expect(try JSONDecoder().decode(LensPromptFile.Header.self, from: data) == header)
    }

    @Test func readsAnOlderBinarysCamelCaseKeys() throws {
        let options = String(decoding: try JSONEncoder.sorted.encode(LensOptions()), as: UTF8.self)
        let older = #"{"layers":[1],"numberValues":[0,1,2],"options":"# + options + #","promptEnd":40,"promptStart":25,"promptsTotal":40,"#
            + #""referenceOnly":0,"source":"dump.h5","sourceSHA256":"ab","sites":["resid_post"],"topK":10,"vocabulary":50}"#
        #expect(try JSONDecoder().decode(LensPromptFile.Header.self, from: Data(older.utf8)) == header)
        // Keys older binaries still left out (no SHA-256, vocabulary or reference readout) stay optional.
        let oldest = #"{"layers":[1],"numberValues":[0,1,2],"options":"# + options + #","promptEnd":40,"promptStart":25,"promptsTotal":40,"#
            + #""source":"dump.h5","sites":["resid_post"],"topK":10}"#
        var expected = header
        (expected.referenceOnly, expected.sourceSHA256, expected.vocabulary) = (nil, nil, nil)
        #expect(try JSONDecoder().decode(LensPromptFile.Header.self, from: Data(oldest.utf8)) == expected)
    }
}
