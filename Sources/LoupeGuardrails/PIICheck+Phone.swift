extension PIICheck.Scanner {
    // Phone numbers come in three shapes, and a digit run fits none of them unless it is grouped like a phone:
    // - international: `+` and a country code (or `00`, a country code and a space), 7–15 digits in groups
    //   (`+44 20 7946 0958`, `+1 (415) 555-0100`, `0049 30 1234567`);
    // - trunk-prefixed national (UK, DE, FR, IT…): `0` and an area code, then groups, 10–12 digits in all
    //   (`020 7946 0958`, `030/12345678`, `01 23 45 67 89`);
    // - North American: `NXX-NXX-XXXX` with any one of `-`, `.`, space, or `(NXX) NXX-XXXX`, optionally after `1`.
    // So ungrouped runs (order numbers, timestamps), dates (8 digits at most), versions, amounts (`1 234 567`),
    // ZIP+4 codes (9 digits) and fakes with a 0 or 1 area code (`123-456-7890`) are not phone numbers.
    // Without a country code, numbers of countries that write them without a trunk 0 (Spain's `912 345 678`) are missed.

    /// A phone number that starts at a digit: `00` and a country code, a trunk-prefixed national number, or NANP.
    func phone(at start: Int) -> Int? {
        switch text[start] {
        case UInt8(ascii: "0"):
            // Loose groups after a space that follows a digit belong to a longer spaced code ("1Z 999 AA1 01 2345 6784");
            // the rigid North American shape may follow anything ("row 12 415-555-0132").
            if text[start - 1] == UInt8(ascii: " ") && ByteClass.isDigit(text[start - 2]) { return nil }
            if text[start + 1] == UInt8(ascii: "0") {
                // "0044 20 7946 0958"; a space after the country code tells it from zero-padded codes ("0012-3456-7890").
                let countryCode = text.digitRun(at: start + 2)
                guard (1...3).contains(countryCode), text[start + 2 + countryCode] == UInt8(ascii: " ") else { return nil }
                return international(from: start + 2, needsSeparator: true)
            }
            return trunkNational(at: start)
        case UInt8(ascii: "1"):
            // The NANP country code before a full number: "1-800-555-0199", "1 (415) 555-0100".
            guard isGroupSeparator(text[start + 1]) else { return nil }
            return northAmerican(at: start + 2)
        default:
            return northAmerican(at: start)
        }
    }

    /// `+` and a country code; `+` alone (`+1`, `+100%`) is a score or an amount.
    mutating func internationalPhone(at plus: Int) -> Int? {
        guard enabled.contains(.phone), !ByteClass.isAlnum(text[plus - 1]), text[plus - 1] != UInt8(ascii: "+"),
            let end = international(from: plus + 1, needsSeparator: false)
        else { return nil }
        return record(.phone, plus..<end)
    }

    /// `(415) 555-0100` or `(030) 1234567`.
    mutating func parenthesizedPhone(at open: Int) -> Int? {
        guard enabled.contains(.phone), !ByteClass.isAlnum(text[open - 1]) else { return nil }
        let end: Int?
        if text[open + 1] == UInt8(ascii: "0") {
            let area = text.digitRun(at: open + 1)
            guard (2...5).contains(area), text[open + 1 + area] == UInt8(ascii: ")") else { return nil }
            var index = open + 2 + area
            if text[index] == UInt8(ascii: " ") { index += 1 }
            end = ByteClass.isDigit(text[index]) ? subscriberGroups(from: index, digits: area) : nil
        } else {
            end = northAmerican(at: open)
        }
        guard let end else { return nil }
        return record(.phone, open..<end)
    }

    /// Country code and groups after `+` or `00`: runs of digits split by single spaces, dashes or dots, or by a
    /// parenthesised area code or trunk `(0)` (not counted), 7–15 digits in all.
    private func international(from start: Int, needsSeparator: Bool) -> Int? {
        guard text[start] &- UInt8(ascii: "1") < 9 else { return nil }  // country codes start with 1–9
        var index = start
        var digits = 0
        var separators = 0
        while separators <= 12 {
            if text[index] == UInt8(ascii: "(") {
                let run = text.digitRun(at: index + 1)
                guard (1...5).contains(run), text[index + 1 + run] == UInt8(ascii: ")") else { return nil }
                if !(run == 1 && text[index + 1] == UInt8(ascii: "0")) { digits += run }
                index += run + 2
                separators += 1
                if ByteClass.isDigit(text[index]) { continue }  // "(0)20"
            } else {
                let run = text.digitRun(at: index)
                digits += run
                index += run
            }
            guard digits <= 15 else { return nil }
            let next = text[index]
            if next == UInt8(ascii: "(") {
                separators += 1
                continue
            }
            guard isGroupSeparator(next), ByteClass.isDigit(text[index + 1]) || text[index + 1] == UInt8(ascii: "(") else { break }
            index += 1
            separators += 1
        }
        guard digits >= 7, separators <= 12, separators > 0 || !needsSeparator, !ByteClass.isAlnum(text[index]) else { return nil }
        return index
    }

    /// `0` and a 1–4 digit area code, one separator (`/` too), then the subscriber groups.
    private func trunkNational(at start: Int) -> Int? {
        let area = text.digitRun(at: start)
        guard (2...5).contains(area) else { return nil }
        let separator = text[start + area]
        guard isGroupSeparator(separator) || separator == UInt8(ascii: "/"), ByteClass.isDigit(text[start + area + 1]) else { return nil }
        return subscriberGroups(from: start + area + 1, digits: area)
    }

    /// Groups of 2–8 digits split by one kind of separator, bringing the total to 10–12 digits. A different separator
    /// ends the number ("01.02.2024 10" is a date and an hour); more digits than a phone has mean it is not one.
    private func subscriberGroups(from start: Int, digits area: Int) -> Int? {
        var index = start
        var digits = area
        var separator: UInt8 = 0
        while true {
            let run = text.digitRun(at: index)
            guard (2...8).contains(run) else { return nil }
            digits += run
            index += run
            guard digits <= 12 else { return nil }
            let next = text[index]
            guard isGroupSeparator(next), ByteClass.isDigit(text[index + 1]), separator == 0 || next == separator else { break }
            separator = next
            index += 1
        }
        guard digits >= 10, !ByteClass.isAlnum(text[index]) else { return nil }
        return index
    }

    /// `NXX-NXX-XXXX` (N is 2–9) with one kind of separator, or `(NXX) NXX-XXXX`.
    private func northAmerican(at start: Int) -> Int? {
        var index = start
        let separator: UInt8
        if text[index] == UInt8(ascii: "(") {
            guard text.digitRun(at: index + 1) == 3, isAreaLead(text[index + 1]), text[index + 4] == UInt8(ascii: ")") else { return nil }
            index += 5
            if text[index] == UInt8(ascii: " ") { index += 1 }
            guard text.digitRun(at: index) == 3, isAreaLead(text[index]) else { return nil }
            separator = text[index + 3]
            guard isGroupSeparator(separator) else { return nil }
            index += 4
        } else {
            guard text.digitRun(at: index) == 3, isAreaLead(text[index]) else { return nil }
            separator = text[index + 3]
            guard isGroupSeparator(separator), text.digitRun(at: index + 4) == 3, isAreaLead(text[index + 4]),
                text[index + 7] == separator
            else { return nil }
            index += 8
        }
        guard text.digitRun(at: index) == 4 else { return nil }
        index += 4
        // "415-555-0100-7" continues into something else; a space-separated number may simply be followed by another.
        guard !ByteClass.isAlnum(text[index]),
            separator == UInt8(ascii: " ") || !(text[index] == separator && ByteClass.isDigit(text[index + 1]))
        else { return nil }
        return index
    }

    @inline(__always) private func isGroupSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// NANP area codes and exchanges start with 2–9.
    @inline(__always) private func isAreaLead(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "2") < 8 }
}
