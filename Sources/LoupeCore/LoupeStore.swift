/// Everything Loupe keeps, in one store: each backend implements every part, so all parts share it.
public typealias LoupeStore = TraceStore & PromptStore & TrackingStore & ModelRegistryStore & LoggedModelStore & EvalCaseStore & KeyStore
    & ComparisonStore & RateUsageStore & UsageReportStore & SpanStore
