// Series colours shared by every chart, so "validation loss" looks the same on each page. Picked to
// stay apart for colour-blind viewers (blue / orange / teal / purple, after Okabe–Ito).
export const SERIES_COLORS = {
  train: '#0064c8',
  validation: '#e07b00',
  score: '#1a7f37',
  other: '#7a3fb0',
} as const;
