// Live category suggestion from the classifier (POST /api/v1/classify) while the resident types.
// If the server has no classifier (404) the form simply shows no suggestion.
import { useEffect, useState } from 'react';
import { api, ApiError } from '../../lib/api';

export interface Suggestion {
  code: string;
  confidence: number | null;
  urgent: boolean;
}

let unavailable = false;

export function useSuggestion(text: string): Suggestion | null {
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  useEffect(() => {
    const words = text.trim();
    if (unavailable || words.length < 4) return;
    let live = true;
    const timer = setTimeout(() => {
      api
        .post<{ category: unknown; confidence?: number; urgent?: boolean }>('/classify', { text: words })
        .then((r) => {
          const c = r.category as string | { code?: string } | null;
          const code = typeof c === 'string' ? c : (c?.code ?? null);
          if (live) setSuggestion(code ? { code, confidence: r.confidence ?? null, urgent: !!r.urgent } : null);
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && (err.status === 404 || err.status === 405)) unavailable = true;
          if (live) setSuggestion(null);
        });
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  return text.trim().length < 4 ? null : suggestion;
}
