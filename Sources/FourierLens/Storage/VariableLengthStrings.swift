import CHDF5

/// Every variable-length string read of one file goes through here, to `IsolatedStringRead`'s
/// child. The attributes are all read in one child the first time one is asked for (one child
/// per file, not one per attribute, keeps the normal path fast); a dataset's values are read
/// when asked for. Once a child crashed or hung, the file's later string reads get the same
/// error at once, naming the object it was reading: a file whose string heap loops is not
/// waited on twice.
final class VariableLengthStrings {
    private struct Key: Hashable {
        let file: UInt
        let address: haddr_t
        let name: String
    }

    private struct Request {
        let object: hid_t
        let path: String
        let attribute: String?
        var key: Key? = nil
    }

    /// How long a child may send nothing before it is taken to be looping. A whole vocabulary
    /// takes milliseconds; a fuzzer's own time limit must stay above this one.
    var timeLimitSeconds = 10.0

    private var attributes: [Key: [String]?] = [:]
    private var damage: FourierLensError?
    private var attributesRead = false

    /// The attribute `name` (variable-length strings) of the open object.
    func attribute(_ name: String, on object: hid_t, in file: HDF5File) throws -> AttributeValue {
        if !attributesRead {
            attributesRead = true
            // The walk's handles stay open until the child has read through them.
            let walked = (try? file.walk(under: "/")) ?? []
            try withExtendedLifetime(walked) { _ = try read(Self.attributeRequests(walked, in: file), in: file) }
        }
        if let damage { throw damage }
        let key = Self.key(object, name)
        let strings: [String]?
        if let key, let known = attributes[key] {
            strings = known
        } else {
            // An object the walk did not reach (behind an external link): this attribute alone.
            strings = try read([Request(object: object, path: Self.path(of: object), attribute: name, key: key)], in: file)[0]
        }
        return strings.map(AttributeValue.strings) ?? .unsupported("unreadable strings")
    }

    /// All the values of the open dataset at `path`; nil when libhdf5 refused the read.
    func values(of dataset: hid_t, at path: String, in file: HDF5File) throws -> [String]? {
        try read([Request(object: dataset, path: path, attribute: nil)], in: file)[0]
    }

    /// Reads `requests` in one child and keeps the attributes it read; a crash or a hang
    /// becomes the file's `damage`.
    private func read(_ requests: [Request], in file: HDF5File) throws -> [[String]?] {
        if let damage { throw damage }
        let items = requests.map { IsolatedStringRead.Item(object: $0.object, attribute: $0.attribute) }
        switch IsolatedStringRead.read(items, idleLimitSeconds: timeLimitSeconds) {
        case let .success(records):
            for (request, record) in zip(requests, records) {
                if let key = request.key { attributes[key] = record }
            }
            return records
        case let .failure(failure):
            let request = requests[failure.index]
            let error = file.damagedStrings(request.path, attribute: request.attribute, reason: failure.reason)
            damage = error
            throw error
        }
    }

    /// Every variable-length string attribute of the walked groups and datasets.
    private static func attributeRequests(_ walked: [HDF5File.WalkedObject], in file: HDF5File) -> [Request] {
        walked.flatMap { object -> [Request] in
            let (handle, path): (HDF5Handle, String)
            switch object {
            case let .group(group, groupPath): (handle, path) = (group, groupPath)
            case let .dataset(dataset, datasetPath): (handle, path) = (dataset, datasetPath)
            case .listed: return []
            }
            return file.attributeNames(of: handle.id).compactMap { name in
                let attribute = H5Aopen(handle.id, name, h5Default)
                guard attribute >= 0, HDF5File.isVariableLengthStrings(HDF5Handle(attribute, .attribute)) else { return nil }
                return Request(object: handle.id, path: path, attribute: name, key: key(handle.id, name))
            }
        }
    }

    /// The object's identity across paths and hard links: its file and its address there.
    private static func key(_ object: hid_t, _ name: String) -> Key? {
        var info = H5O_info_t()
        guard H5Oget_info2(object, &info, UInt32(H5O_INFO_BASIC)) >= 0 else { return nil }
        return Key(file: UInt(info.fileno), address: info.addr, name: name)
    }

    private static func path(of object: hid_t) -> String {
        let length = H5Iget_name(object, nil, 0)
        guard length > 0 else { return "-" }
        var buffer = [CChar](repeating: 0, count: length + 1)
        H5Iget_name(object, &buffer, length + 1)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
