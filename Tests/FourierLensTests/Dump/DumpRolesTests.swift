@testable import FourierLens
import Testing

@Suite struct DumpRolesTests {
    @Test(arguments: ["good_dump.h5", "good_dump_stacked.h5"])
    func recognisesEveryRole(name: String) throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture(name))
        let dump = try Dump(file: file)
        #expect(dump.problems.isEmpty, "\(dump.problems)")
        #expect(dump.embeddings?.shape == [40, 16])
        #expect(dump.tokenIDs?.path == "/tokens/ids")
        #expect(dump.tokenValues?.path == "/tokens/values")
        #expect(dump.tokenStrings?.path == "/tokens/strings")
        #expect(dump.unembedding?.shape == [16, 60])
        #expect(dump.unembeddingBias?.shape == [60])
        #expect(dump.finalNorm?.kind == "layernorm")
        #expect(dump.finalNorm?.eps == 1e-5)
        #expect(dump.finalScale?.shape == [12])
        #expect(dump.promptAnswers?.shape == [12])
        #expect(dump.sites == [.attnOut, .mlpOut, .residPost])
        #expect(dump.layers == [0, 1, 2])
        let mlp = try #require(dump.activations[.mlpOut]?[1])
        #expect(mlp.shape == [12, 16])
        if name == "good_dump_stacked.h5" {
            #expect(mlp.path == "/acts/mlp_out" && mlp.stackedIndex == 1)
        } else {
            #expect(mlp.path == "/acts/blocks.1.hook_mlp_out" && mlp.stackedIndex == nil)
        }
        #expect(dump.unrecognised == ["/extra/notes"])
        // Every analysis but `boolean`, which reads a boolean/ group this dump does not have.
        #expect(dump.capabilities.filter { $0.analysis != "boolean" }.allSatisfy { $0.ready })
        #expect(dump.capabilities.first { $0.analysis == "boolean" }?.missing == ["/boolean/inputs", "/boolean/outputs"])
    }

    @Test func saysWhatIsMissingForEachAnalysis() throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("big.h5"))
        let dump = try Dump(file: file)
        #expect(dump.problems.isEmpty)
        let spectrum = try #require(dump.capabilities.first { $0.analysis == "spectrum" })
        #expect(spectrum.missing == ["/weights/W_E", "/tokens/values"])
        #expect(dump.warnings.contains { $0.contains("no root attribute schema") })
    }

    @Test func parsesTransformerLensHookNames() {
        #expect(Site.parseHookName("blocks.11.hook_mlp_out")! == (11, .mlpOut))
        #expect(Site.parseHookName("blocks.0.hook_resid_post")! == (0, .residPost))
        #expect(Site.parseHookName("blocks.x.hook_mlp_out") == nil)
        #expect(Site.parseHookName("blocks.1.hook_mlp_in") == nil)
        #expect(Site.mlpOut.hookName(layer: 4) == "blocks.4.hook_mlp_out")
    }

    @Test(arguments: [
        ("bad_dmodel.h5", "/acts/blocks.0.hook_attn_out", "d_model = 16"),
        ("bad_rank.h5", "/weights/W_U", "found 1-D [60]"),
        ("bad_ids.h5", "/tokens/ids", "within the vocabulary 0–59, found 60 at row 30"),
        ("bad_dtype.h5", "/weights/W_E", "compound"),
        ("bad_vocab_ids.h5", "/tokens/ids", "among /weights/vocab_ids (the columns of W_U), found 5 at row 0"),
    ])
    func reportsInconsistencies(name: String, dataset: String, fragment: String) throws {
        let path = try TestPaths.fixture(name)
        let dump = try Dump(file: try HDF5File(readingFrom: path))
        let first = try #require(dump.problems.first)
        #expect(first.description.hasPrefix("\(path): \(dataset): expected"), "\(first)")
        #expect(first.description.contains(fragment), "\(first)")
        #expect(throws: FourierLensError.self) { try dump.requireValid() }
    }

    /// A number spelled by two tokens is usable (probes and `spectrum --average` average its
    /// rows): a warning, the same for every command, not a problem.
    @Test func repeatedNumberValuesAreAWarning() throws {
        let dump = try Dump(file: try HDF5File(readingFrom: try TestPaths.fixture("bad_values.h5")))
        #expect(dump.isValid)
        #expect(dump.warnings.contains { $0.contains("/tokens/values: the number 0 appears at rows 0 and 4") }, "\(dump.warnings)")
    }

    @Test func scansForNaNAndInf() throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("nonfinite.h5"))
        let scan = try file.scanNonFinite(try file.datasetInfo("/weights/W_E"), blockBytes: 64)
        #expect(scan.nan == 1 && scan.infinite == 1)
        #expect(scan.firstIndex == [7, 3])
        let clean = try file.scanNonFinite(try file.datasetInfo("/weights/W_U"))
        #expect(clean.total == 0 && clean.firstIndex == nil)
    }
}
