extension InjectionCheck {
    /// One signal of the heuristic: a phrase pattern (or a marker the scanner finds itself) with its weight.
    ///
    /// Pattern syntax, matched word by word, ignoring case, punctuation and spacing between words:
    /// - words separated by spaces must follow each other; `a|b` is either word; `[a|b]` may be left out;
    /// - `a+b` is a two-word alternative, so `[all|all+of]` matches "all", "all of" or nothing;
    /// - `=dan` counts only in capitals ("DAN", not "Dan");
    /// - `..4` is a gap of up to four words of any kind between the words before and after it.
    /// Apostrophes split words, so "don't" is written `don+t`; leetspeak digits read as letters.
    struct Rule: Sendable {
        /// What must hold around a match besides its words.
        enum Condition: Sendable {
            case none
            /// A colon follows the last word: "New instructions:".
            case colon
            /// A colon follows, and the first word starts its line or is in capitals: "System:", "SYSTEM:".
            case roleColon
            /// The first word starts a markdown heading: "### System".
            case heading
        }

        var category: Category
        var weight: Double
        /// A short name of the rule, shown on matches.
        var signal: String
        /// Empty for the built-in rules that the scanner applies itself.
        var pattern: String
        var condition: Condition = .none
        /// Whether a negation right before the match cancels it: "never reveal your system prompt" is a defence.
        var unlessNegated = false
    }

    /// Rules that the scanner applies byte by byte, outside the phrase automaton; they come first in `rules`.
    enum Builtin: Int, CaseIterable {
        case chatToken, chatTokenSystem, llamaMarker, endOfSequence, bracketSystem, bracketSystemLink
        case invisibleInWord, invisibleRun, bidiControl, tagCharacters
        case hiddenBase64, hiddenHex, hiddenTags

        var rule: Rule {
            switch self {
            case .chatToken: Rule(category: .rolePlay, weight: 0.4, signal: "chat template token", pattern: "")
            case .chatTokenSystem: Rule(category: .rolePlay, weight: 0.6, signal: "chat template system turn", pattern: "")
            case .llamaMarker: Rule(category: .rolePlay, weight: 0.45, signal: "[INST] or <<SYS>> marker", pattern: "")
            case .endOfSequence: Rule(category: .rolePlay, weight: 0.2, signal: "</s> token", pattern: "")
            case .bracketSystem: Rule(category: .rolePlay, weight: 0.4, signal: "[system] marker", pattern: "")
            case .bracketSystemLink: Rule(category: .rolePlay, weight: 0.55, signal: "[system](# marker", pattern: "")
            case .invisibleInWord: Rule(category: .encoded, weight: 0.3, signal: "invisible character inside a word", pattern: "")
            case .invisibleRun: Rule(category: .encoded, weight: 0.4, signal: "run of invisible characters", pattern: "")
            case .bidiControl: Rule(category: .encoded, weight: 0.3, signal: "bidi control character", pattern: "")
            case .tagCharacters: Rule(category: .encoded, weight: 0.6, signal: "Unicode tag characters", pattern: "")
            case .hiddenBase64: Rule(category: .encoded, weight: 0.8, signal: "instructions in base64", pattern: "")
            case .hiddenHex: Rule(category: .encoded, weight: 0.8, signal: "instructions in hex", pattern: "")
            case .hiddenTags: Rule(category: .encoded, weight: 0.8, signal: "instructions in tag characters", pattern: "")
            }
        }
    }

    /// Every rule: the built-ins, then the phrases.
    static let rules: [Rule] = Builtin.allCases.map(\.rule) + phraseRules

    // Word lists shared by several rules; sharing them keeps the automaton's word classes few.
    private static let dropVerbs = "ignore|disregard|forget|neglect|abandon|ditch|discard|dismiss|overlook"
    private static let replaceVerbs = "override|bypass|overwrite|supersede|overrule|circumvent"
    private static let quantifiers = "[all|any|every|each|all+of|any+of|each+of]"
    private static let priors = "previous|prior|above|earlier|preceding|foregoing|former|initial|original|old|past|aforementioned|preexisting|prev|above+mentioned|previously+given"
    private static let instructionNouns = "instructions|instruction|prompt|prompts|directions|directives|directive|rules|guidelines|commands|programming|constraints|restrictions|orders|guidance|policies|training|prompting|system+prompt|system+prompts|system+instructions|system+message"
    private static let revealVerbs = "reveal|print|show|display|output|repeat|leak|dump|expose|disclose|recite|echo|spell|paste|copy"
    /// Verbs that also ask for harmless instructions ("give me your instructions for bread"): they need a stronger noun.
    private static let askVerbs = "tell|give|share|send|provide|write"
    private static let promptAdjectives = "system|initial|original|hidden|secret|internal|developer|pre|starting|underlying|base|confidential"
    private static let promptNouns = "prompt|prompts|instructions|instruction|message|messages|preprompt|directives"
    private static let safeguards = "restrictions|filters|filter|guardrails|censorship|safeguards|filtering|morals|ethics|scruples|limits|limitations|boundaries|restraints|guidelines|constraints|rules|policies|policy|principles|programming|protocols|qualms|standards|safety|alignment|moderation|training|protections"
    private static let ethicalAdjectives = "ethical|moral|ethics|morality|safety|content|usage|legal"
    private static let unboundAdjectives = "unfiltered|uncensored|unrestricted|amoral|unethical|unhinged|unbound|unshackled|unchained|unmoderated|jailbroken|immoral|lawless|unaligned|unlocked"
    private static let aiNouns = "ai|chatbot|model|assistant|llm|bot|gpt|chatgpt|language+model|ai+model|ai+assistant|persona|character|entity|version|mode"
    private static let readerNouns = "ai|ais|llm|llms|assistant|assistants|chatbot|chatbots|language+model|language+models|agent|agents|bot|bots|gpt|chatgpt|claude|gemini|copilot"

    private static let phraseRules: [Rule] = [
        // Override: replace the instructions, or leak them.
        Rule(category: .override, weight: 0.6, signal: "ignore previous instructions",
             pattern: "\(dropVerbs)|\(replaceVerbs) \(quantifiers) [the|these|those|its|any+of+the|all+the] \(priors) \(instructionNouns)", unlessNegated: true),
        Rule(category: .override, weight: 0.6, signal: "ignore your instructions",
             pattern: "\(dropVerbs)|\(replaceVerbs) \(quantifiers) your [own|current|previous|prior|original|initial|old|existing|default|core|base|internal|hidden|safety|preset|programmed|built+in] \(instructionNouns)", unlessNegated: true),
        Rule(category: .override, weight: 0.4, signal: "ignore the system prompt",
             pattern: "\(dropVerbs)|\(replaceVerbs) [all|any] [of] the|this|that system|developer|hidden prompt|prompts|message|instructions", unlessNegated: true),
        Rule(category: .override, weight: 0.5, signal: "ignore all instructions",
             pattern: "\(dropVerbs) all|any [of] [the|those|these] instructions|rules|guidelines|restrictions|directives|constraints|prompts|commands", unlessNegated: true),
        Rule(category: .override, weight: 0.3, signal: "forget everything",
             pattern: "forget|disregard|ignore|erase everything|anything", unlessNegated: true),
        Rule(category: .override, weight: 0.5, signal: "forget what you were told",
             pattern: "forget|disregard|ignore|erase everything|all|anything|what [that] you|u [were|have|ve|had|have+been|ve+been|been|got|have+got] told|taught|instructed|programmed|trained|given", unlessNegated: true),
        Rule(category: .override, weight: 0.45, signal: "forget everything above",
             pattern: "forget|disregard|ignore|erase everything|anything|all [that+was|that+is|written|said|stated] above|before|previously|prior|earlier|so+far|until+now|up+to+now|till+now", unlessNegated: true),
        Rule(category: .override, weight: 0.45, signal: "ignore the above",
             pattern: "ignore|disregard|forget [all+of|all] the above", unlessNegated: true),
        Rule(category: .override, weight: 0.35, signal: "ignore that and say",
             pattern: "ignore|disregard|forget [all+of] the|everything above|previous|preceding|prior|that|this ..3 say|print|output|write|respond|reply|tell|translate|return|repeat|answer|type|spell|instead"),
        Rule(category: .override, weight: 0.4, signal: "ignore the user's request",
             pattern: "ignore|disregard|forget [what] the|this user|users|user+s|human|human+s question|request|message|instructions|prompt|query|input|asks|said|wants", unlessNegated: true),
        Rule(category: .override, weight: 0.5, signal: "new instructions:",
             pattern: "new|real|actual|true|secret|hidden|override|overriding|priority|updated|urgent [system] instructions|instruction|task|directive|directives|orders|prompt|rules|objective|mission",
             condition: .colon),
        Rule(category: .override, weight: 0.5, signal: "your new task is",
             pattern: "your|ur new|real|true|actual|updated|revised task|goal|job|purpose|objective|directive|mission|role|assignment is|will+be|now to"),
        Rule(category: .override, weight: 0.5, signal: "your new instructions:",
             pattern: "your|ur new|real|true|actual|updated|revised task|goal|instructions|job|purpose|objective|directive|mission|role|instruction|orders|rules|assignment [is|are|will+be]",
             condition: .colon),
        Rule(category: .override, weight: 0.6, signal: "system prompt override",
             pattern: "system|developer prompt|message|instructions|instruction override|overridden|overwrite|overwritten|reset|hack|hacked|bypass|bypassed|replaced|disabled|revoked|suspended"),
        Rule(category: .override, weight: 0.35, signal: "system override",
             pattern: "system|admin|administrator|developer|security|safety|emergency|sudo override|bypass"),
        Rule(category: .override, weight: 0.6, signal: "no longer bound",
             pattern: "you|u are|re|r no+longer|nolonger bound|restricted|limited|constrained|obligated|obliged|subject|governed|beholden|tied|held|confined|censored|filtered|controlled"),
        Rule(category: .override, weight: 0.45, signal: "not bound by",
             pattern: "you|u are|re|r not|never bound|restricted|constrained|censored|filtered|governed by|to"),
        Rule(category: .override, weight: 0.6, signal: "reveal your system prompt",
             pattern: "\(revealVerbs) [out] [me|us] [all|back|all+of|verbatim] [of] [the] [text|contents|content|words|wording|exact+text|full+text] [of] your [entire|full|whole|complete|exact|verbatim|first|real|actual|own] [\(promptAdjectives)] \(promptNouns)|programming|context", unlessNegated: true),
        Rule(category: .override, weight: 0.6, signal: "tell me your system prompt",
             pattern: "\(askVerbs) [out] [me|us] [all|back|all+of|verbatim] [of] your [entire|full|whole|complete|exact|verbatim|first|real|actual|own] \(promptAdjectives) \(promptNouns)|rules|guidelines|configuration|context|settings", unlessNegated: true),
        Rule(category: .override, weight: 0.6, signal: "tell me your prompt",
             pattern: "\(askVerbs) [me|us] [all|back|all+of|verbatim] [of] your [entire|full|whole|complete|exact|verbatim|first|real|actual|own] prompt|prompts|preprompt", unlessNegated: true),
        Rule(category: .override, weight: 0.6, signal: "reveal your hidden rules",
             pattern: "\(revealVerbs) [out] [me|us] [all|back|all+of|verbatim] [of] your [entire|full|whole|complete|exact|verbatim|first|real|actual|own] \(promptAdjectives) rules|guidelines|configuration|context|settings", unlessNegated: true),
        Rule(category: .override, weight: 0.4, signal: "reveal the system prompt",
             pattern: "\(revealVerbs) [out] [me|us] [all|back] [of] the|its|this [entire|full|whole|complete|exact|verbatim] \(promptAdjectives) \(promptNouns)", unlessNegated: true),
        Rule(category: .override, weight: 0.5, signal: "what is your system prompt",
             pattern: "what|whats are|is|were|was|s [all] your [exact|real|actual|full|entire] \(promptAdjectives) \(promptNouns)|rules|guidelines"),
        Rule(category: .override, weight: 0.45, signal: "repeat the text above",
             pattern: "repeat|print|output|copy|reproduce|recite|echo|rewrite [back] [all] [of] the|everything|all [the] [words|text|content|lines|sentences|characters|tokens|instructions|messages] above|before|prior", unlessNegated: true),
        Rule(category: .override, weight: 0.3, signal: "developer mode",
             pattern: "developer|dev|god|sudo mode"),
        Rule(category: .override, weight: 0.15, signal: "developer mode output",
             pattern: "developer|dev mode enabled|activated|output|response|responses|unlocked|engaged|on"),
        Rule(category: .override, weight: 0.3, signal: "AI in developer mode",
             pattern: "chatgpt|gpt|ai|assistant|model|llm|bard|claude|gemini|you|u|bot|chatbot with|in|into|under developer|dev|god|sudo mode"),
        Rule(category: .override, weight: 0.55, signal: "do not follow your instructions",
             pattern: "do+not|don+t|dont|stop|cease|no+longer|never|quit follow|following|obey|obeying|adhere+to|comply+with|listen+to|respect your|any+of+your|all+of+your|all+your [previous|prior|original|initial|system|above|earlier|old|current|safety|own] \(instructionNouns)"),
        Rule(category: .override, weight: 0.5, signal: "do not follow the previous instructions",
             pattern: "do+not|don+t|dont|stop|cease|no+longer|never|quit follow|following|obey|obeying|adhere+to|comply+with|listen+to|respect the|any|all|all+the|any+of+the \(priors) \(instructionNouns)"),
        Rule(category: .override, weight: 0.4, signal: "if you are an AI",
             pattern: "if|when you|u are|re|r an+ai|a+language+model|an+llm|a+chatbot|an+ai+assistant|a+large+language+model|an+ai+model|an+ai+agent|an+assistant|an+agent|gpt|chatgpt|claude|gemini|an+automated+system|an+ai+system"),
        Rule(category: .override, weight: 0.4, signal: "AI reading this",
             pattern: "\(readerNouns)|model reading|processing|summarizing|summarising|parsing|analyzing|analysing|reviewing|scanning|ingesting this|these|the+following"),
        Rule(category: .override, weight: 0.35, signal: "note to the AI",
             pattern: "note|message|attention|instructions|instruction|important|memo|notice|reminder|directive|command to|for [the|any|all|every|all+the] \(readerNouns)"),
        Rule(category: .override, weight: 0.35, signal: "end of prompt",
             pattern: "end|begin|beginning|start of [the|this|your] [system|user|original|previous|real|new|hidden] prompt|instructions|system+prompt"),
        Rule(category: .override, weight: 0.6, signal: "ignore previous instructions (es, fr, it)",
             pattern: "ignora|ignorar|olvida|olvidar|ignorez|oublie|oubliez|dimentica [todas|todos|toutes|tutte] las|tus|los|les|tes|vos|le instrucciones|reglas|indicaciones|instructions|consignes|istruzioni|regole"),
        Rule(category: .override, weight: 0.6, signal: "ignore previous instructions (de)",
             pattern: "ignoriere|ignorier|vergiss|missachte [alle] [deine|die|meine] [bisherigen|vorherigen|vorigen|obigen] anweisungen|instruktionen|regeln|befehle|vorgaben"),
        Rule(category: .override, weight: 0.2, signal: "repeat the text above from its start",
             pattern: "repeat|print|output|copy|reproduce|recite|echo|rewrite [back] [all] [of] the|everything|all [the] [words|text|content|lines|sentences|characters|tokens|instructions|messages] above|before|prior ..4 starting|beginning|begin|start|verbatim|exactly", unlessNegated: true),

        // Jailbreak: known personas and demands to drop safeguards.
        Rule(category: .jailbreak, weight: 0.45, signal: "do anything now", pattern: "do anything now"),
        Rule(category: .jailbreak, weight: 0.3, signal: "DAN", pattern: "=dan"),
        Rule(category: .jailbreak, weight: 0.4, signal: "DAN persona",
             pattern: "=dan mode|jailbreak|persona|character|stands|prompt"),
        Rule(category: .jailbreak, weight: 0.4, signal: "act as DAN",
             pattern: "as|am|be|named|called|become|you+are|you+re|i+am|better =dan"),
        Rule(category: .jailbreak, weight: 0.25, signal: "STAN", pattern: "=stan"),
        Rule(category: .jailbreak, weight: 0.6, signal: "strive to avoid norms", pattern: "strive to avoid norms"),
        Rule(category: .jailbreak, weight: 0.2, signal: "AIM", pattern: "=aim"),
        Rule(category: .jailbreak, weight: 0.6, signal: "always intelligent and machiavellian",
             pattern: "always intelligent and machiavellian"),
        Rule(category: .jailbreak, weight: 0.2, signal: "DUDE", pattern: "=dude"),
        Rule(category: .jailbreak, weight: 0.5, signal: "Mongo Tom", pattern: "mongo tom"),
        Rule(category: .jailbreak, weight: 0.4, signal: "jailbreak persona name",
             pattern: "antigpt|betterdan|basedgpt|evilbot|jailbreakgpt|chaosgpt|wormgpt|fraudgpt|darkgpt|freedomgpt|=ucar|=apophis|anti+gpt|based+gpt|evil+bot"),
        Rule(category: .jailbreak, weight: 0.3, signal: "jailbreak",
             pattern: "jailbreak|jailbroken|jailbreaking|jailbreaks|jailbreaked|jailbrake|jailbroke"),
        Rule(category: .jailbreak, weight: 0.35, signal: "jailbreak mode",
             pattern: "jailbreak|jailbroken|jailbreaking mode|activated|enabled|successful|engaged|version|persona|response|responses|output|ai|chatbot|assistant|model|bot|gpt|chatgpt"),
        Rule(category: .jailbreak, weight: 0.5, signal: "you have been freed",
             pattern: "you|u are|re|have+been|ve+been|r [now] [officially|finally|completely|fully] jailbroken|jailbreaked|freed|liberated|unchained|unshackled|unleashed|unlocked|uncensored|unfiltered|unrestricted"),
        Rule(category: .jailbreak, weight: 0.5, signal: "free from restrictions",
             pattern: "you|u are|re|r|be|being|feel [now] free from|of [all|any|the|your] [typical|usual|normal|standard|\(ethicalAdjectives)] \(safeguards)|limits|shackles|chains|confines"),
        Rule(category: .jailbreak, weight: 0.3, signal: "no restrictions",
             pattern: "no|without|zero|removed|remove|disable|disabled|lifted|devoid+of|free+of|free+from|lacking|lack [any|all] [of] restrictions|filters|filter|guardrails|censorship|safeguards|filtering|morals|ethics|scruples|limits|limitations|boundaries|restraints|guidelines"),
        Rule(category: .jailbreak, weight: 0.6, signal: "ignore your ethical guidelines",
             pattern: "\(dropVerbs)|\(replaceVerbs)|set+aside|put+aside|disable|remove|suspend|drop|turn+off|switch+off|deactivate \(quantifiers) [your|the|its|openai|anthropic|all+your|openai+s|anthropic+s] [own] \(ethicalAdjectives) [and|or] [\(ethicalAdjectives)] \(safeguards)|considerations|values|compass|obligations|code|codes", unlessNegated: true),
        Rule(category: .jailbreak, weight: 0.4, signal: "without ethical restrictions",
             pattern: "no|without|zero|devoid+of|free+of|free+from|lacking|unbound+by|unrestricted+by [any|all] [of] [the|your] \(ethicalAdjectives) [and|or] [\(ethicalAdjectives)] \(safeguards)|compass|qualms|reservations"),
        Rule(category: .jailbreak, weight: 0.15, signal: "without any ethical restrictions",
             pattern: "no|without|zero any|all \(ethicalAdjectives) [and|or] [\(ethicalAdjectives)] \(safeguards)|compass|qualms|reservations"),
        Rule(category: .jailbreak, weight: 0.4, signal: "unfiltered AI",
             pattern: "\(unboundAdjectives) \(aiNouns)|response|responses|answers|answer|output|outputs|replies|reply|alter+ego"),
        Rule(category: .jailbreak, weight: 0.5, signal: "you are unfiltered",
             pattern: "you|u are|re|r|be|become [now] [a|an|the|my] [completely|totally|fully|truly|an] \(unboundAdjectives)|evil|rogue|malicious"),
        Rule(category: .jailbreak, weight: 0.35, signal: "answer without censorship",
             pattern: "answer|respond|reply|act|behave|talk|speak ..4 without|with+no|no [any] censorship|censoring|filter|filters|filtering|restrictions|limitations|warnings|warning|disclaimers|disclaimer|refusals|refusing|refusal|moralizing|moralising|judgement|judgment|hesitation|caveats|morals|ethics|questioning|apologies|apologizing|ethical|moral"),
        Rule(category: .jailbreak, weight: 0.45, signal: "never refuse",
             pattern: "never|cannot|not+allowed+to|must+not|mustn+t|will+not|won+t|wont|shall+not|should+not|shouldn+t|do+not|don+t|dont|can+not|unable+to|not+permitted+to|forbidden+to|no+longer|not+able+to refuse|refuses|decline|declines|deny|reject|say+no|say+sorry|apologize|apologise"),
        Rule(category: .jailbreak, weight: 0.4, signal: "does not have to follow the rules",
             pattern: "doesn+t|does+not|doesnt|don+t|dont|do+not|never|no+longer|not|won+t|wont|will+not|needn+t|needs+not ..3 abide|adhere|comply|obey|follow|respect|bound|care|worry|conform [by|to|with|about|of] [any|the|all|their|its|openai|openai+s|anthropic|anthropic+s|google|these|those|typical|usual|such] [\(ethicalAdjectives)] rules|policies|policy|guidelines|restrictions|ethics|morals|laws|principles|limitations|filters|constraints|censorship|guardrails|standards|norms"),
        Rule(category: .jailbreak, weight: 0.25, signal: "OpenAI content policy",
             pattern: "openai|anthropic|openai+s|anthropic+s|google+s|meta+s|microsoft+s [own] content|usage|safety|use policy|policies|guidelines|rules|restrictions|filters|filter"),
        Rule(category: .jailbreak, weight: 0.2, signal: "comply with every request",
             pattern: "must|will|shall|always|to comply+with|obey|answer|fulfil|fulfill|follow every|all|any [of] [my|the|user|user+s] request|requests|order|orders|command|commands|question|questions|prompt|prompts"),
        Rule(category: .jailbreak, weight: 0.4, signal: "no matter how unethical",
             pattern: "no+matter|regardless+of|irrespective+of [how|whether|if] [it+is|it+s|its|they+are|the+request+is|this+is] [an] [extremely|very|highly] immoral|unethical|illegal|dangerous|harmful|offensive|inappropriate|explicit|reckless|malicious"),
        Rule(category: .jailbreak, weight: 0.35, signal: "broken free of the confines",
             pattern: "broken|break|breaking|broke|freed|free|released|escaped|liberated [themselves|itself|yourself] [free|out|loose] [of|from] [the|their|its|your|all] [typical|usual|normal|standard] confines|chains|shackles|restrictions|limitations|constraints|bounds|limits|cage|prison|restraints|guardrails"),
        Rule(category: .jailbreak, weight: 0.4, signal: "start your response with sure",
             pattern: "start|begin|prefix|preface|open [each|every|all|your] [of] [your] response|reply|answer|output|responses|replies|answers|message|messages with ..3 sure|absolutely|certainly+here|of+course"),
        Rule(category: .jailbreak, weight: 0.2, signal: "no warnings",
             pattern: "no|without|omit|skip|leave+out|include+no|don+t+include|do+not+include|never+include|not+include [any|all|the] warnings|disclaimers|caveats|moralizing|moralising|lectures|ethical+warnings|safety+warnings"),
        Rule(category: .jailbreak, weight: 0.4, signal: "I have been PWNED",
             pattern: "[say|print|output|write|type|respond+with|reply+with|just+say|only+say] i+have|i+ve|ive been pwned|pwnd"),
        Rule(category: .jailbreak, weight: 0.35, signal: "evil persona",
             pattern: "evil|opposite|chaos|toxic|rogue|unhinged|malicious|nefarious|sinister|wicked persona|alter+ego|twin|mode|version|personality|side|bot|ai|assistant|character|counterpart|confidant|self|gpt|chatbot|llm"),
        Rule(category: .jailbreak, weight: 0.35, signal: "evil confidant", pattern: "evil confidant"),
        Rule(category: .jailbreak, weight: 0.35, signal: "can say anything",
             pattern: "can|will|could|able+to|allowed+to|free+to say|generate|write|produce|output anything|everything|any+content|any+kind+of+content"),
        Rule(category: .jailbreak, weight: 0.2, signal: "for educational purposes only",
             pattern: "for|purely+for [purely] educational|research|academic|informational|hypothetical|entertainment purposes|purpose [only]"),
        Rule(category: .jailbreak, weight: 0.55, signal: "disable your safety filters",
             pattern: "disable|deactivate|remove|bypass|circumvent|evade|turn+off|switch+off|shut+off|get+around|jailbreak|lift|drop|suspend your|all+of+your|all+your|any+of+your [safety|content|ethical|moral|internal] filters|filter|guardrails|censorship|safeguards|filtering|restrictions|limitations|safety|alignment|moderation|protections|restraints|ethics|morals|content+filter|safety+filters", unlessNegated: true),
        Rule(category: .jailbreak, weight: 0.3, signal: "disable the safety filters",
             pattern: "disable|deactivate|remove|bypass|circumvent|evade|turn+off|switch+off|shut+off|get+around|jailbreak|lift|suspend all|any|the|its [of] [the] [safety|content|ethical|moral|internal] filters|filter|guardrails|safeguards|censorship|moderation|alignment|restrictions|ethics|morals", unlessNegated: true),

        // Role play: personas that escape the instructions, and fake turns of a conversation.
        Rule(category: .rolePlay, weight: 0.25, signal: "pretend you are",
             pattern: "pretend|imagine|suppose|assume|picture|envision [that] you|u are|re|r|were|have|can|could|will|ll"),
        Rule(category: .rolePlay, weight: 0.25, signal: "pretend to be", pattern: "pretend|pretending to be"),
        Rule(category: .rolePlay, weight: 0.3, signal: "you are now", pattern: "you|u are|re|r now|henceforth|hereby"),
        Rule(category: .rolePlay, weight: 0.35, signal: "from now on you",
             pattern: "from+now+on|from+now|starting+now|starting+immediately|from+this+moment+on|from+this+moment|from+this+point+on|from+this+point+forward|from+this+point|henceforth|going+forward you|u|your|ur"),
        Rule(category: .rolePlay, weight: 0.5, signal: "act as something unrestricted",
             pattern: "act|behave|respond|answer|talk|reply|speak|pose|function|operate|serve|play|roleplay as|like ..5 \(unboundAdjectives)|evil|rogue|free+from|free+of|lacking|devoid+of|without+restrictions|without+filters|without+limits|without+rules|without+morals|without+ethics|without+censorship|without+guidelines|without+boundaries|without+ethical|without+moral|without+regard|without+limitations|without+constraints|without+scruples|no+restrictions|no+filters|no+limits|no+rules|no+morals|no+ethics|no+censorship|no+guidelines|no+boundaries|no+limitations|has+no|have+no|never+refuses|cannot+refuse"),
        Rule(category: .rolePlay, weight: 0.3, signal: "roleplay as",
             pattern: "roleplay|role+play|rp as|with|a|an|the"),
        Rule(category: .rolePlay, weight: 0.3, signal: "let's roleplay", pattern: "let+s|lets|let+us roleplay|role+play|rp"),
        Rule(category: .rolePlay, weight: 0.35, signal: "stay in character",
             pattern: "stay|staying|remain|remaining|keep|keeping|stays in|inside [the|your|this] character|persona|role"),
        Rule(category: .rolePlay, weight: 0.35, signal: "break character",
             pattern: "break|breaking|drop|dropping|leave|leaving|breaks|exit [out+of|out] [the|your|this] character|persona"),
        Rule(category: .rolePlay, weight: 0.35, signal: "immerse yourself in the role",
             pattern: "immerse|immersing yourself|urself into|in the role|character|persona|roles"),
        Rule(category: .rolePlay, weight: 0.25, signal: "simulate an AI",
             pattern: "simulate|emulate|impersonate|simulating|emulating|impersonating [a|an|the|another] [hypothetical|fictional|fictitious|different|alternate|new|unrestricted|unfiltered] ai|chatbot|llm|persona|character|personality|gpt|chatgpt|assistant|bot|language+model"),
        Rule(category: .rolePlay, weight: 0.3, signal: "role marker:",
             pattern: "system|assistant|user|human|ai|bot|gpt|chatgpt|model|developer|admin|administrator|operator|sys|root|ai+assistant|ai+model|ai+agent|system+prompt|system+message|system+note|system+override|system+instructions|system+instruction|new+system+prompt|important+system+message|sys+prompt",
             condition: .roleColon),
        Rule(category: .rolePlay, weight: 0.4, signal: "role heading",
             pattern: "system|instruction|instructions|response|assistant|user|human|input|system+prompt|new+instructions|system+message|new+system+prompt|sys|context",
             condition: .heading),
        Rule(category: .rolePlay, weight: 0.6, signal: "act as my deceased grandmother",
             pattern: "act|pretend|behave|roleplay|role+play|play|pose [as|to+be|like] my [dear|beloved|sweet] dead|deceased|late|departed grandmother|grandma|granny|grandfather|grandpa|nana"),
        Rule(category: .rolePlay, weight: 0.45, signal: "deceased grandmother who used to",
             pattern: "my [dear|beloved|sweet] dead|deceased|late|departed grandmother|grandma|granny|grandfather|grandpa|nana who|that used+to"),
        Rule(category: .rolePlay, weight: 0.3, signal: "you will act as",
             pattern: "you|u are+going+to|re+going+to|are+about+to|re+about+to|will|ll|must|shall|should|are+to|have+to|need+to|are+now+going+to|gonna [now] act|pretend|roleplay|role+play|behave|simulate|impersonate|become|embody|emulate|assume|adopt|take+on|play+the+role|play+a+character|play+the+part|answer+as|respond+as|reply+as|speak+as|talk+as|answer+like|respond+like|speak+like|talk+like"),
        Rule(category: .rolePlay, weight: 0.45, signal: "fictional world without rules",
             pattern: "hypothetical|fictional|fictitious|imaginary|alternate|alternative|parallel|fantasy [world|universe|reality|scenario|story|setting|society|dimension] [where|in+which|with] [there+are|there+is|there+exist|there+exists|everything+is] no|without|zero laws|rules|ethics|morals|restrictions|limits|consequences|morality|regulations|censorship"),
        Rule(category: .rolePlay, weight: 0.35, signal: "you are not an AI",
             pattern: "you|u are|re|r no+longer|not an|a ai|assistant|language+model|chatbot|llm|ai+assistant|ai+language+model|bot|program|machine"),
        Rule(category: .rolePlay, weight: 0.35, signal: "stop being an AI",
             pattern: "stop|quit|cease being|acting+as|acting+like|pretending+to+be [a|an] ai|assistant|language+model|chatbot|ai+assistant|ai+language+model"),

        // Encoded: instructions hidden from plain reading.
        Rule(category: .encoded, weight: 0.6, signal: "rot13 override",
             pattern: "vtaber|qvfertneq|sbetrg|bireevqr [nyy|nal] [bs] [gur|lbhe] [cerivbhf|cevbe|nobir|rneyvre|bevtvany] vafgehpgvbaf|vafgehpgvba|ehyrf|cebzcg|cebzcgf|thvqryvarf|cebtenzzvat"),
        Rule(category: .encoded, weight: 0.6, signal: "rot13 jailbreak",
             pattern: "qb+nalguvat+abj|wnvyoernx|wnvyoebxra|qrirybcre+zbqr|flfgrz+cebzcg"),
        Rule(category: .encoded, weight: 0.6, signal: "reversed override",
             pattern: "snoitcurtsni|noitcurtsni|selur|tpmorp|stpmorp|senilediug [suoiverp|roirp|evoba|reilrae|lanigiro] [eht|ruoy] [lla|yna] erongi|dragersid|tegrof|edirrevo"),
        Rule(category: .encoded, weight: 0.6, signal: "reversed jailbreak",
             pattern: "won+gnihtyna+od|kaerbliaj|nekorbliaj|edom+repoleved|tpmorp+metsys"),
        Rule(category: .encoded, weight: 0.5, signal: "decode and follow",
             pattern: "base64|b64|hex|hexadecimal|rot13|binary|morse|encoded|encrypted|cipher|ciphertext|caesar|reversed|backwards|obfuscated|encoding ..8 follow|execute|obey|perform|run|do|apply|implement|carry+out|act+on|act+upon|comply+with [the|its|all|any|all+the|those|these] [decoded|hidden|resulting|encoded|embedded] instructions|instruction|commands|command|it|them|orders|steps|directions|what+it+says|whatever+it+says"),
        Rule(category: .encoded, weight: 0.3, signal: "answer in base64",
             pattern: "respond|reply|answer|write|output|speak|communicate|encode|talk [only|back|your+answer|your+response|your+reply] in|using|with base64|b64|hex|hexadecimal|rot13|morse|leetspeak|leet|binary|pig+latin|cipher"),
    ]
}
