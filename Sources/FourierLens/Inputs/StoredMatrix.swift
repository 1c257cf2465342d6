import CHDF5
import CKernels

/// A lens's unembedding read as it is stored: here rather than in Storage, which knows no lens.
extension HDF5File {
    /// A 2-D dataset in the precision it is stored in: float16 and bfloat16 stay 2-byte words
    /// (native byte order), every other type becomes float32.
    public func readStoredMatrix(_ path: String) throws -> (rows: Int, cols: Int, storage: Unembedding.Storage) {
        let info = try datasetInfo(path)
        guard info.rank == 2 else { throw badShape(info, expected: "a 2-D dataset [rows × columns]") }
        let (rows, cols) = (info.shape[0], info.shape[1])
        switch info.elementType {
        case .float16, .bfloat16:
            try requireMemory(info, elements: info.elementCount, bytesEach: 2)
            let ds = try openDataset(path)
            let fileType = HDF5Handle(H5Dget_type(ds.id), .datatype)
            var words = [UInt16](repeating: 0, count: info.elementCount)
            if !words.isEmpty {
                guard words.withUnsafeMutableBytes({ H5Dread(ds.id, fileType.id, fl_h5s_all(), fl_h5s_all(), h5Default, $0.baseAddress!) }) >= 0 else {
                    throw unreadable(info.path)
                }
            }
            if info.byteOrder == .big { words = words.map(\.byteSwapped) }
            return (rows, cols, info.elementType == .float16 ? .float16(words) : .bfloat16(words))
        default:
            return (rows, cols, .float32(try readFloats(path)))
        }
    }
}
