/** The Strongroom mark, inline (no request, nothing from the internet). Decorative: the name sits beside it. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="6" fill="#16324f" />
      <rect x="8" y="13" width="16" height="12" rx="2" fill="#f4c542" />
      <path d="M11 13v-3a5 5 0 0 1 10 0v3" fill="none" stroke="#f4c542" strokeWidth="2.5" />
      <circle cx="16" cy="19" r="2" fill="#16324f" />
    </svg>
  );
}
