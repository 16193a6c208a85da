// Data shapes that cross the process boundary. Pure types with no imports, so the renderer can
// use them without pulling in Node code; the core implements them.

/** Count, rate and ETA for long work. */
export interface Progress {
  done: number;
  total: number | null;
  /** Items per second since the start. */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSec: number | null;
  elapsedMs: number;
}

export interface LibraryRoot {
  id: number;
  path: string;
  available: boolean;
  lastScanAt: number | null;
}

export interface LibrarySummary {
  tracks: number;
  available: number;
  byFormat: Record<string, number>;
  /** Share of tracks (0..1) that carry at least one genre / mood tag. */
  tagCoverage: { genre: number; mood: number };
  failed: ScanFailure[];
  roots: LibraryRoot[];
}

export interface ScanProgress extends Progress {
  phase: 'listing' | 'reading' | 'finishing';
  found: number;
  parsed: number;
  failed: number;
  unchanged: number;
}

export interface ScanFailure {
  path: string;
  reason: string;
}

export interface ScanResult {
  indexed: number;
  unchanged: number;
  moved: number;
  removed: number;
  /** Every file under the scanned roots that could not be indexed, with its reason. */
  failed: ScanFailure[];
  unavailableRoots: string[];
  roots: string[];
  cancelled: boolean;
  durationMs: number;
  filesPerSecond: number;
}
