export async function writeReport(dir: string): Promise<string> { return dir; }
