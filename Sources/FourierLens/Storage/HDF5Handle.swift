import CHDF5

/// HDF5 prints its own error stack to stderr by default; FourierLens reports one clear line
/// of its own instead, so the stack printer is switched off once, before the first call.
let hdf5Initialised: Void = {
    _ = H5open()
    silenceHDF5ErrorPrinting()
}()

/// Turns HDF5's stderr printer off for the calling thread (a thread-safe libhdf5 keeps the
/// setting per thread).
func silenceHDF5ErrorPrinting() {
    _ = H5Eset_auto2(fl_h5e_default(), nil, nil)
}

/// Owns one HDF5 identifier and closes it with the matching H5*close call.
final class HDF5Handle {
    enum Kind { case file, group, dataset, dataspace, datatype, attribute, object, plist }

    let id: hid_t
    private let kind: Kind

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// Wraps `id`, or throws `error` when HDF5 returned a negative identifier.
    static func check(_ id: hid_t, _ kind: Kind, orThrow error: @autoclosure () -> FourierLensError) throws -> HDF5Handle {
        guard id >= 0 else { throw error() }
        return HDF5Handle(id, kind)
    }

    deinit {
        switch kind {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        case .dataspace: H5Sclose(id)
        case .datatype: H5Tclose(id)
        case .attribute: H5Aclose(id)
        case .object: H5Oclose(id)
        case .plist: H5Pclose(id)
        }
    }
}

let h5Default = hid_t(fl_h5p_default())
