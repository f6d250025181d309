import Foundation

extension SecretsCheck.Scanner {
    // Secrets without a shape of their own are recognised by the name they are assigned to: `api_key=…`,
    // `"client_secret": "…"`, `DB_PASSWORD: …`, `Bearer …`. The name is read backwards from the `=` or `:`
    // (at most 64 bytes), ignoring case and `_`, `-`, `.`, so `apiKey`, `API_KEY` and `api-key` are one name.
    // It must end in a secret word, optionally followed by a word that still names the value ("secret_key",
    // "token_value"); a name that goes on to say something else ("token_count", "password_file", "max_tokens",
    // "secret_name") is about the secret, not the secret.

    /// The last letters of the secret words and of the words that may follow them.
    private static let lastLetters = ByteSet("ytnderg4x")
    /// Names ending in "token" that hold a pagination cursor or a limit, not a credential.
    private static let notCredentialTokens: [StaticString] = ["next", "page", "continuation", "sync", "cancellation", "max"]
    /// Bytes that end a value: quotes, brackets, list separators, and `:` (so URLs are not values).
    private static let valueEnders = ByteSet("\"'`,;()[]{}<>\\|?:")

    /// An assignment's name that says its value is secret.
    private enum SecretName {
        case generic
        /// The name of an AWS secret access key, whose value has a shape of its own.
        case awsSecretAccessKey
    }

    /// A value assigned with `=` or `:` to a name that says it is a secret. The scan resumes after the value either
    /// way, so a run like `token=token=token=…` is read once, not once per `=`.
    mutating func assignment(at operatorIndex: Int) -> Match? {
        let next = text[operatorIndex + 1]
        let previous = text[operatorIndex - 1]
        if text[operatorIndex] == UInt8(ascii: "=") {
            // "==", "!=", "<=", ">=" compare; ":=" was tried at its colon.
            if next == UInt8(ascii: "=") || previous == UInt8(ascii: "=") || previous == UInt8(ascii: "!")
                || previous == UInt8(ascii: "<") || previous == UInt8(ascii: ">") || previous == UInt8(ascii: ":")
            {
                return nil
            }
        } else if next == UInt8(ascii: ":") || previous == UInt8(ascii: ":") {
            return nil  // "::" scopes a name
        }
        guard enabled.contains(.genericSecret) || enabled.contains(.awsSecretKey), let name = secretName(endingBefore: operatorIndex) else {
            return nil
        }

        var start = operatorIndex + 1
        if text[start] == UInt8(ascii: ">") || (text[operatorIndex] == UInt8(ascii: ":") && text[start] == UInt8(ascii: "=")) {
            start += 1  // "=>", ":="
        }
        let spaces = start
        while start - spaces < 16 && (text[start] == UInt8(ascii: " ") || text[start] == UInt8(ascii: "\t")) { start += 1 }
        if text[start] == UInt8(ascii: "\\") && isQuote(text[start + 1]) { start += 1 }  // JSON inside a JSON string
        let quote = isQuote(text[start]) ? text[start] : 0
        if quote != 0 { start += 1 }

        if let match = token(at: start) { return match }
        let end = valueEnd(from: start)
        resumeAt = end  // unless it is a secret; then the scan resumes after it anyway
        if quote != 0 {
            let close = text[end] == UInt8(ascii: "\\") ? end + 1 : end
            guard text[close] == quote else { return nil }  // a quoted value with spaces is prose, not a key
        }
        if name == .awsSecretAccessKey && enabled.contains(.awsSecretKey) && isAWSSecret(start, end) {
            return Match(category: .awsSecretKey, range: start..<end)
        }
        guard enabled.contains(.genericSecret), isSecretValue(start, end, quoted: quote != 0) else { return nil }
        return Match(category: .genericSecret, range: start..<end)
    }

    /// `Bearer <token>`, as in an Authorization header or code that builds one.
    mutating func bearer(at index: Int) -> Match? {
        guard ByteClass.lower(text[index + 1]) == UInt8(ascii: "e"), text.hasPrefixIgnoringCase("bearer ", at: index),
            !ByteClass.isAlnum(text[index - 1])
        else { return nil }
        var start = index + 7
        while start - index < 12 && text[start] == UInt8(ascii: " ") { start += 1 }
        if let match = token(at: start) { return match }
        let end = valueEnd(from: start)
        resumeAt = end
        guard enabled.contains(.genericSecret), isSecretValue(start, end, quoted: false) else { return nil }
        return Match(category: .genericSecret, range: start..<end)
    }

    /// The end of the value at `start`: printable ASCII up to a space, a quote, a bracket, a list separator or `:`,
    /// or up to the `&` before the next parameter of a query or form body (`token=…&grant_type=…`); a `&` followed by
    /// anything else is part of the value (`Tr0ub4dor&3`).
    private func valueEnd(from start: Int) -> Int {
        let end = text.end(from: start, while: isValueByte)
        var index = start
        while let ampersand = text.bytes[index..<end].firstIndex(of: UInt8(ascii: "&")) {
            let nameEnd = text.end(from: ampersand + 1, while: isNameByte)
            if nameEnd > ampersand + 1 && nameEnd - ampersand <= 64 && text[nameEnd] == UInt8(ascii: "=") { return ampersand }
            index = ampersand + 1
        }
        return end
    }

    /// Reads the name before `=` or `:` (past spaces and a closing quote); nil unless it names a secret.
    private func secretName(endingBefore operatorIndex: Int) -> SecretName? {
        var end = operatorIndex
        while operatorIndex - end < 8 && (text[end - 1] == UInt8(ascii: " ") || text[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
        if isQuote(text[end - 1]) {
            end -= 1
            if text[end - 1] == UInt8(ascii: "\\") { end -= 1 }
        }
        // Secret and value words end in one of these letters; most names are turned away here.
        guard Self.lastLetters.contains(ByteClass.lower(text[end - 1])) || isNameSeparator(text[end - 1]) else { return nil }
        var start = end
        while end - start < 64 && isNameByte(text[start - 1]) { start -= 1 }
        guard start < end else { return nil }
        if (ByteClass.lower(text[start]) == UInt8(ascii: "a") && startsWith("awssecret", at: start, before: end))
            || endsWith("secretaccesskey", before: end, from: start) != nil
        {
            return .awsSecretAccessKey
        }
        if secretWord(before: end, from: start) { return .generic }
        guard let valueWord = valueWord(before: end, from: start), secretWord(before: valueWord, from: start) else { return nil }
        return .generic
    }

    /// Whether the name `start..<end` ends in a secret word. Dispatching on the last letter keeps this to a test or
    /// two for most names, since code is full of `name: value` and `x = y`.
    private func secretWord(before end: Int, from start: Int) -> Bool {
        switch lastLetter(before: end, from: start) {
        case UInt8(ascii: "y"):
            return endsWith("apikey", before: end, from: start) != nil || endsWith("accesskey", before: end, from: start) != nil
                || endsWith("privatekey", before: end, from: start) != nil || endsWith("authkey", before: end, from: start) != nil
        case UInt8(ascii: "t"):
            return endsWith("secret", before: end, from: start) != nil
        case UInt8(ascii: "n"):
            guard let word = endsWith("token", before: end, from: start) else { return false }
            for prefix in Self.notCredentialTokens where endsWith(prefix, before: word, from: start) != nil { return false }
            return true
        case UInt8(ascii: "d"):
            return endsWith("password", before: end, from: start) != nil || endsWith("passwd", before: end, from: start) != nil
                || endsWith("pwd", before: end, from: start) != nil
        case UInt8(ascii: "e"):
            return endsWith("passphrase", before: end, from: start) != nil
        default:
            return false
        }
    }

    /// Where a word that still names the value ("secret_key", "token_value", "password_b64") begins, if the name
    /// `start..<end` ends in one.
    private func valueWord(before end: Int, from start: Int) -> Int? {
        switch lastLetter(before: end, from: start) {
        case UInt8(ascii: "y"): endsWith("key", before: end, from: start)
        case UInt8(ascii: "e"): endsWith("value", before: end, from: start)
        case UInt8(ascii: "r"): endsWith("str", before: end, from: start)
        case UInt8(ascii: "g"): endsWith("string", before: end, from: start)
        case UInt8(ascii: "x"): endsWith("hex", before: end, from: start)
        case UInt8(ascii: "4"): endsWith("b64", before: end, from: start) ?? endsWith("base64", before: end, from: start)
        default: nil
        }
    }

    /// The last letter or digit of the name `start..<end`, lowercased; 0 when there is none.
    @inline(__always) private func lastLetter(before end: Int, from start: Int) -> UInt8 {
        var position = end
        while position > start && isNameSeparator(text[position - 1]) { position -= 1 }
        return position > start ? ByteClass.lower(text[position - 1]) : 0
    }

    /// Where `word` (lowercase) ends the name `start..<end`, ignoring case and `_`, `-`, `.`; returns where it begins.
    private func endsWith(_ word: StaticString, before end: Int, from start: Int) -> Int? {
        var position = end
        var offset = word.utf8CodeUnitCount
        let letters = word.utf8Start
        while offset > 0 {
            while position > start && isNameSeparator(text[position - 1]) { position -= 1 }
            guard position > start, ByteClass.lower(text[position - 1]) == letters[offset - 1] else { return nil }
            position -= 1
            offset -= 1
        }
        return position
    }

    /// Whether the name `start..<end` begins with `word` (lowercase), ignoring case and `_`, `-`, `.`.
    private func startsWith(_ word: StaticString, at start: Int, before end: Int) -> Bool {
        var position = start
        let letters = word.utf8Start
        for offset in 0..<word.utf8CodeUnitCount {
            while position < end && isNameSeparator(text[position]) { position += 1 }
            guard position < end, ByteClass.lower(text[position]) == letters[offset] else { return false }
            position += 1
        }
        return true
    }

    /// 40 characters of base64 with the entropy of a random key, as AWS secret access keys are.
    private func isAWSSecret(_ start: Int, _ end: Int) -> Bool {
        guard end - start == 40 else { return false }
        for index in start..<end {
            let byte = text[index]
            guard ByteClass.isAlnum(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+") else { return false }
        }
        return entropy(start, end) >= entropyThreshold
    }

    /// A literal that looks like a credential: at least 16 characters with letters and digits and the configured entropy.
    /// Not: references (`${TOKEN}`, `%(pw)s`, `process.env.API_KEY`, `settings.KEY_V2`, `os.environ[…]`, a call),
    /// masked values (`********`), and lowercase file paths (`/run/secrets/db_password`).
    private func isSecretValue(_ start: Int, _ end: Int, quoted: Bool) -> Bool {
        guard end - start >= 16 else { return false }
        let first = text[start]
        if first == UInt8(ascii: "$") || first == UInt8(ascii: "*") || first == UInt8(ascii: "%") { return false }
        var hasDigit = false
        var hasLetter = false
        var hasUpper = false
        // A member access: word bytes and dots, each dot followed by a letter, and no digit before the first dot
        // (`config.api_key`, but not Google's `ya29.a0Af…`).
        var isMemberAccess = true
        var dots = 0
        for index in start..<end {
            let byte = text[index]
            if ByteClass.isDigit(byte) {
                hasDigit = true
                if dots == 0 { isMemberAccess = false }
            } else if ByteClass.isLetter(byte) {
                hasLetter = true
                hasUpper = hasUpper || ByteClass.isUpper(byte)
            } else if byte == UInt8(ascii: ".") {
                dots += 1
                isMemberAccess = isMemberAccess && (ByteClass.isLetter(text[index + 1]) || text[index + 1] == UInt8(ascii: "_"))
            } else if byte != UInt8(ascii: "_") {
                isMemberAccess = false
            }
        }
        guard hasDigit, hasLetter else { return false }
        if !quoted {
            if text[end] == UInt8(ascii: "(") || text[end] == UInt8(ascii: "[") { return false }
            if dots > 0 && isMemberAccess { return false }
        }
        if (first == UInt8(ascii: "/") || first == UInt8(ascii: "~") || first == UInt8(ascii: ".")) && !hasUpper { return false }
        return entropy(start, end) >= entropyThreshold
    }

    /// Shannon entropy of the bytes in `start..<end`, in bits per byte.
    func entropy(_ start: Int, _ end: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for index in start..<end { counts[Int(text[index])] += 1 }
            let total = Double(end - start)
            var bits = 0.0
            for count in counts where count > 0 {
                let share = Double(count) / total
                bits -= share * log2(share)
            }
            return bits
        }
    }

    @inline(__always) private func isQuote(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "`")
    }

    @inline(__always) private func isNameByte(_ byte: UInt8) -> Bool {
        ByteClass.isAlnum(byte) || isNameSeparator(byte)
    }

    @inline(__always) private func isNameSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// Printable ASCII that can be part of a secret value.
    @inline(__always) private func isValueByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !Self.valueEnders.contains(byte)
    }
}
