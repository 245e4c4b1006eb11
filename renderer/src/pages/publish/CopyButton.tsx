import { useEffect, useState } from 'react';

/** Copies through the legacy path where the Clipboard API is refused (no permission, insecure origin). */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  return copied;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return copyWithSelection(text);
  }
}

/** A small "Copy" button that says for a moment whether it worked. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; /** Accessible name: "Copy <what>". */ what: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (outcome === null) return;
    const timer = setTimeout(() => setOutcome(null), 1800);
    return () => clearTimeout(timer);
  }, [outcome]);
  return (
    <button
      type="button"
      className="button button-small copy-button"
      aria-label={`Copy ${what}`}
      onClick={() => void copyText(text).then((ok) => setOutcome(ok ? 'copied' : 'failed'))}
    >
      <span aria-live="polite">{outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed' : label}</span>
    </button>
  );
}
