export async function runStudy(..._a: unknown[]) {} export async function resumeStudy(..._a: unknown[]) {}
