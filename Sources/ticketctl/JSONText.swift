import FoundationEssentials

enum JSONText {
    /// Pretty, key-sorted JSON from Foundation's encoder.
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return "{\"error\":\"cannot encode the result as JSON\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
