// Window size, position and maximized flag, kept in a small JSON file between runs.

import { readFileSync, writeFileSync } from 'node:fs';
import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { z } from 'zod';

const WindowState = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400),
  height: z.number().int().min(300),
  maximized: z.boolean(),
});
type WindowState = z.infer<typeof WindowState>;

const DEFAULT_STATE: WindowState = { width: 1280, height: 800, maximized: false };

function visibleOnSomeDisplay(b: Rectangle): boolean {
  return screen.getAllDisplays().some(({ workArea: a }) => {
    const overlapX = Math.min(b.x + b.width, a.x + a.width) - Math.max(b.x, a.x);
    const overlapY = Math.min(b.y + b.height, a.y + a.height) - Math.max(b.y, a.y);
    return overlapX >= 100 && overlapY >= 50;
  });
}

/** The saved state, with the position dropped when it would put the window off every screen. */
export function loadWindowState(file: string): WindowState {
  let saved: WindowState;
  try {
    saved = WindowState.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return DEFAULT_STATE; // first run, or a file we cannot trust
  }
  const { x, y, ...rest } = saved;
  return x !== undefined && y !== undefined && visibleOnSomeDisplay({ x, y, width: rest.width, height: rest.height })
    ? saved
    : rest;
}

/** Saves the state when the window closes (synchronously: the app may quit right after). */
export function trackWindowState(win: BrowserWindow, file: string): void {
  win.on('close', () => {
    const state: WindowState = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(file, JSON.stringify(state));
    } catch (err) {
      console.warn(`Could not save the window state to ${file}:`, err);
    }
  });
}
