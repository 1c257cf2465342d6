import CHDF5

extension HDF5File {
    /// Attributes of the group or dataset at `path`.
    public func attributes(of path: String) throws -> [String: AttributeValue] {
        let path = normalised(path)
        guard kind(of: path) != nil else { throw missing(path, expected: "a group or dataset") }
        let object = try HDF5Handle.check(H5Oopen(handle.id, path, h5Default), .object, orThrow: unreadable(path))
        return try readAttributes(of: object.id)
    }

    /// Every attribute of an open object. Variable-length strings come from the file's isolated
    /// read (`VariableLengthStrings`); its damage is thrown, naming the object it was reading.
    func readAttributes(of object: hid_t) throws -> [String: AttributeValue] {
        var result: [String: AttributeValue] = [:]
        for name in attributeNames(of: object) {
            let attribute = H5Aopen(object, name, h5Default)
            guard attribute >= 0 else { result[name] = .unsupported("unreadable"); continue }
            let handle = HDF5Handle(attribute, .attribute)
            if Self.isVariableLengthStrings(handle) {
                result[name] = try variableLengthStrings.attribute(name, on: object, in: self)
            } else {
                result[name] = readAttributeValue(handle)
            }
        }
        return result
    }

    /// The names of an object's attributes, in name order.
    func attributeNames(of object: hid_t) -> [String] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let box = Unmanaged.passRetained(names)
        defer { box.release() }
        var start: hsize_t = 0
        _ = H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &start, { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }, box.toOpaque())
        return names.list
    }

    /// At most this many values are read from one attribute.
    static let attributeValueLimit = 1 << 16

    private static func valueCount(_ attribute: HDF5Handle) -> Int {
        let space = HDF5Handle(H5Aget_space(attribute.id), .dataspace)
        return max(0, Int(H5Sget_simple_extent_npoints(space.id)))
    }

    /// An attribute of variable-length strings, within the value limit: read only in isolation.
    static func isVariableLengthStrings(_ attribute: HDF5Handle) -> Bool {
        let type = HDF5Handle(H5Aget_type(attribute.id), .datatype)
        return H5Tget_class(type.id) == H5T_STRING && H5Tis_variable_str(type.id) > 0
            && valueCount(attribute) <= attributeValueLimit
    }

    /// Numbers and fixed-length strings (read here: libhdf5 reads them without the global heap).
    private func readAttributeValue(_ attribute: HDF5Handle) -> AttributeValue {
        let type = HDF5Handle(H5Aget_type(attribute.id), .datatype)
        let count = Self.valueCount(attribute)
        guard count <= Self.attributeValueLimit else { return .unsupported("\(count) values, more than an attribute holds") }
        switch H5Tget_class(type.id) {
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard H5Aread(attribute.id, fl_h5t_native_int64(), &values) >= 0 else { return .unsupported("unreadable integers") }
            return .integers(values)
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            guard H5Aread(attribute.id, fl_h5t_native_double(), &values) >= 0 else { return .unsupported("unreadable floats") }
            return .floats(values)
        case H5T_STRING:
            let strings = readFixedLengthStrings(fileType: type.id, count: count) { memType, buffer in
                H5Aread(attribute.id, memType, buffer)
            }
            return strings.map(AttributeValue.strings) ?? .unsupported("unreadable strings")
        default:
            return .unsupported(classifyType(type.id).0.description)
        }
    }

    /// The one line for strings whose storage crashed or hung libhdf5; `place` says where in
    /// the object they are ("attribute schema", "its fill value"; nil: the dataset's values).
    func damagedStrings(_ path: String, in place: String?, reason: String) -> FourierLensError {
        .badInput(file: self.path, dataset: path,
                  expected: "readable variable-length strings\(place.map { " in \($0)" } ?? ""), found damaged variable-length string storage (\(reason))")
    }
}
