import CHDF5

/// The innermost description on HDF5's error stack (what went wrong at the bottom), so that
/// FourierLens's one line can say why HDF5 refused, e.g. "truncated file: eof = 1024, ...".
func hdf5ErrorDetail() -> String? {
    final class Collected { var last: String? }
    let collected = Collected()
    let box = Unmanaged.passRetained(collected)
    defer { box.release() }
    _ = H5Ewalk2(fl_h5e_default(), H5E_WALK_DOWNWARD, { _, error, context in
        guard let error, let context, let desc = error.pointee.desc else { return 0 }
        let text = String(cString: desc)
        if !text.isEmpty {
            Unmanaged<Collected>.fromOpaque(context).takeUnretainedValue().last = text
        }
        return 0
    }, box.toOpaque())
    return collected.last
}
