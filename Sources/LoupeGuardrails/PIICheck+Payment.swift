extension PIICheck.Scanner {
    /// A payment card number: 13–19 digits, unbroken or grouped 4-4-4-4(-1…3), 4-6-5 or 4-6-4 with spaces or dashes,
    /// whose issuer prefix and length fit a real scheme and whose Luhn checksum holds.
    /// One 16-digit number in ten passes Luhn, so the prefix and length rules are what keep order numbers out.
    func creditCard(at start: Int) -> Int? {
        let first = text.digitRun(at: start)
        if (13...19).contains(first) {
            let end = start + first
            guard !ByteClass.isLetter(text[end]) else { return nil }
            return isCardNumber(start, end, digits: first) ? end : nil
        }
        guard first == 4 else { return nil }
        let separator = text[start + 4]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return nil }
        /// The length of the digit group after the separator at `index`, or 0.
        func group(_ index: Int) -> Int {
            text[index] == separator ? text.digitRun(at: index + 1) : 0
        }
        let second = group(start + 4)
        if second == 6 {  // American Express 4-6-5, Diners 4-6-4
            let third = group(start + 11)
            guard third == 4 || third == 5 else { return nil }
            let end = start + 12 + third
            return !ByteClass.isLetter(text[end]) && isCardNumber(start, end, digits: 10 + third) ? end : nil
        }
        guard second == 4, group(start + 9) == 4 else { return nil }
        let fourth = group(start + 14)
        guard (1...4).contains(fourth) else { return nil }
        let end = start + 15 + fourth
        // A fifth group of 1–3 digits makes 17–19; if that fails, the first sixteen may still be a card followed by
        // something else ("4111 1111 1111 1111 12/26").
        if fourth == 4 {
            let fifth = group(end)
            if (1...3).contains(fifth), !ByteClass.isLetter(text[end + 1 + fifth]),
                isCardNumber(start, end + 1 + fifth, digits: 16 + fifth)
            {
                return end + 1 + fifth
            }
        }
        return !ByteClass.isLetter(text[end]) && isCardNumber(start, end, digits: 12 + fourth) ? end : nil
    }

    /// Issuer prefix, length and Luhn checksum of the digits in `start..<end` (separators skipped).
    private func isCardNumber(_ start: Int, _ end: Int, digits: Int) -> Bool {
        let two = number(start, 2)
        let three = number(start, 3)
        let four = number(start, 4)
        let schemeFits: Bool
        switch two / 10 {
        case 2: schemeFits = (2221...2720).contains(four) && digits == 16  // Mastercard 2-series
        case 3:
            if two == 34 || two == 37 {
                schemeFits = digits == 15  // American Express
            } else if (300...305).contains(three) || two == 36 || two == 38 || two == 39 {
                schemeFits = digits >= 14  // Diners Club
            } else {
                schemeFits = (3528...3589).contains(four) && digits >= 16  // JCB
            }
        case 4: schemeFits = digits == 13 || digits == 16 || digits == 19  // Visa
        case 5: schemeFits = (51...55).contains(two) ? digits == 16 : digits >= 13  // Mastercard; Maestro 50, 56–59
        case 6: schemeFits = digits >= 13  // Discover, UnionPay, Maestro, RuPay
        default: schemeFits = false
        }
        guard schemeFits else { return false }
        var sum = 0
        var doubled = false
        var index = end - 1
        while index >= start {
            let byte = text[index]
            if ByteClass.isDigit(byte) {
                var digit = Int(byte &- 0x30)
                if doubled {
                    digit *= 2
                    if digit > 9 { digit -= 9 }
                }
                sum += digit
                doubled.toggle()
            }
            index -= 1
        }
        return sum % 10 == 0
    }

    /// An IBAN, found at its first check digit: the country code before it sets the length (ISO 13616 registry);
    /// written unbroken or in groups of four split by single spaces, upper or lower case; the mod-97 checksum must hold.
    /// Returns where scanning resumes: past the IBAN; past a grouped value with a known country code that fails
    /// (a mistyped IBAN, so none of its groups is read again as a card or phone number: "DE89 3704 0044 0532 0130" has
    /// no phone "0044 0532 0130" in it); or nil, when the text is not IBAN-shaped.
    mutating func iban(digitAt index: Int) -> Int? {
        let start = index - 2
        guard start >= 0, ByteClass.isLetter(text[start]), !ByteClass.isWord(text[start - 1]), ByteClass.isDigit(text[index + 1]),
            let length = Self.ibanLength(ByteClass.lower(text[start]), ByteClass.lower(text[start + 1]))
        else { return nil }
        let grouped = text[start + 4] == UInt8(ascii: " ")
        var resumeAfterFailure: Int? { grouped ? endOfGroups(from: start) : nil }
        var position = start
        var read = 0
        while read < length {
            if grouped && read > 0 && read % 4 == 0 {
                guard text[position] == UInt8(ascii: " ") else { return resumeAfterFailure }
                position += 1
            }
            guard ByteClass.isAlnum(text[position]) else { return resumeAfterFailure }
            read += 1
            position += 1
        }
        guard !ByteClass.isAlnum(text[position]) else { return resumeAfterFailure }
        // Mod 97 of the digits with the first four characters moved to the end and letters as 10–35.
        var remainder = 0
        for offset in 0..<(position - start) {
            let byte = text[start + (offset + (grouped ? 5 : 4)) % (position - start)]
            if ByteClass.isDigit(byte) {
                remainder = (remainder * 10 + Int(byte &- 0x30)) % 97
            } else if ByteClass.isLetter(byte) {
                remainder = (remainder * 100 + Int(ByteClass.lower(byte) &- UInt8(ascii: "a")) + 10) % 97
            }
        }
        guard remainder == 1 else { return resumeAfterFailure ?? position }
        return record(.iban, start..<position)
    }

    /// The end of the groups of four alphanumerics split by single spaces from `start`, through a last shorter group.
    private func endOfGroups(from start: Int) -> Int {
        var end = start + 4
        while text[end] == UInt8(ascii: " ") {
            let group = text.end(from: end + 1, while: ByteClass.isAlnum) - end - 1
            guard (1...4).contains(group) else { break }
            end += 1 + group
            if group < 4 { break }
        }
        return end
    }

    /// IBAN length by country (SWIFT IBAN registry); nil for countries without IBANs.
    static func ibanLength(_ first: UInt8, _ second: UInt8) -> Int? {
        switch (UInt16(first) << 8 | UInt16(second)) {
        case code("no"): 15
        case code("be"): 16
        case code("dk"), code("fi"), code("fk"), code("fo"), code("gl"), code("nl"), code("sd"): 18
        case code("mk"), code("si"): 19
        case code("at"), code("ba"), code("ee"), code("kz"), code("lt"), code("lu"), code("mn"), code("xk"): 20
        case code("ch"), code("hr"), code("li"), code("lv"): 21
        case code("bg"), code("bh"), code("cr"), code("de"), code("ge"), code("gb"), code("ie"), code("me"), code("rs"),
            code("va"):
            22
        case code("ae"), code("gi"), code("il"), code("iq"), code("om"), code("so"), code("tl"): 23
        case code("ad"), code("cz"), code("es"), code("md"), code("pk"), code("ro"), code("sa"), code("se"), code("sk"),
            code("tn"), code("vg"):
            24
        case code("ly"), code("pt"), code("st"): 25
        case code("is"), code("tr"): 26
        case code("bi"), code("dj"), code("fr"), code("gr"), code("it"), code("mc"), code("mr"), code("sm"): 27
        case code("al"), code("az"), code("by"), code("cy"), code("do"), code("gt"), code("hn"), code("hu"), code("lb"),
            code("ni"), code("pl"), code("sv"):
            28
        case code("br"), code("eg"), code("ps"), code("qa"), code("ua"): 29
        case code("jo"), code("kw"), code("mu"), code("ye"): 30
        case code("mt"), code("sc"): 31
        case code("lc"): 32
        case code("ru"): 33
        default: nil
        }
    }

    /// A two-letter country code as the switch key `ibanLength` compares against.
    private static func code(_ letters: StaticString) -> UInt16 {
        UInt16(letters.utf8Start[0]) << 8 | UInt16(letters.utf8Start[1])
    }
}
