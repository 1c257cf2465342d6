import Foundation

/// Checks, before libhdf5 opens a file, the one length in a version 0/1 superblock that libhdf5
/// trusts before any read: the driver information block's size. libhdf5 1.10 allocates a buffer of
/// that size (up to 4 GiB) and only then finds the block past the end of the file, so a damaged
/// 15 KiB file made the process resident at 4.2 GB. Other lengths (object headers, local heaps,
/// B-tree nodes) are checked by libhdf5 against the end of the file before it allocates.
enum SuperblockCheck {
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    static func requireDriverBlockFits(_ path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { return }  // libhdf5 names the failure
        defer { try? file.close() }
        guard let size = try? file.seekToEnd() else { return }
        // The superblock is at 0 or at a power of two from 512 (after a user block).
        var offset: UInt64 = 0
        while offset + 64 <= size {
            try? file.seek(toOffset: offset)
            let head = [UInt8]((try? file.read(upToCount: 64)) ?? Data())  // readData(ofLength:) traps on a read error
            if head.count == 64 && Array(head[0..<8]) == signature {
                try check(head, fileSize: size, file: file, path: path)
                return
            }
            offset = offset == 0 ? 512 : offset * 2
        }
    }

    private static func check(_ head: [UInt8], fileSize: UInt64, file: FileHandle, path: String) throws {
        let version = head[8]
        guard version <= 1 else { return }  // versions 2 and 3 keep driver information in an extension
        let offsetSize = Int(head[13])
        guard offsetSize == 8 || offsetSize == 4 else { return }  // libhdf5 refuses other sizes itself
        let addresses = version == 0 ? 24 : 28  // base, free space, end of file, driver information
        guard addresses + 4 * offsetSize <= head.count else { return }
        func address(_ index: Int) -> UInt64 {
            let at = addresses + index * offsetSize
            return head[at..<at + offsetSize].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let undefined: UInt64 = offsetSize == 8 ? .max : UInt64(UInt32.max)
        let driverBlock = address(3)
        guard driverBlock != undefined else { return }
        let (at, overflow) = address(0).addingReportingOverflow(driverBlock)
        func refuse(_ found: String) -> FourierLensError {
            .badInput(file: path, dataset: "/", expected: "an HDF5 superblock whose driver information block lies in the file; \(found) of a \(fileSize)-byte file")
        }
        guard !overflow, at + 16 <= fileSize else { throw refuse("it starts at byte \(driverBlock), past the end") }
        try file.seek(toOffset: at)
        let block = [UInt8]((try? file.read(upToCount: 8)) ?? Data())
        guard block.count == 8 else { throw refuse("it starts at byte \(at), past the end") }
        let length = block[4..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard at + 16 + length <= fileSize else {
            throw refuse("it claims \(length) bytes at byte \(at)")
        }
    }
}
