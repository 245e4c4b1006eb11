import type { MouseEvent } from 'react';

/**
 * After a mouse click, a button hands the keyboard back to the page: Space then verifies the image
 * instead of pressing the button again. A button pressed from the keyboard keeps its focus.
 */
export function releaseAfterClick(event: MouseEvent<HTMLElement>): void {
  if (event.detail > 0) event.currentTarget.blur();
}
