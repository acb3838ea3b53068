namespace Fleet.Engine.Jobs;

/// <summary>How many jobs of one action and site are in one status, and the attempts they took in all.</summary>
public sealed record JobCount(string Action, string? Site, JobStatus Status, long Count, long Attempts);
