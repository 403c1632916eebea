/** Placeholder while a signed-in page loads (the home page, and any section without its own). */
export default function SignedInLoading() {
  return (
    <div className="stack">
      <div className="skeleton" aria-hidden="true" />
      <p role="status" className="muted">
        Loading …
      </p>
      <div className="grid" aria-hidden="true">
        {['first', 'second', 'third', 'fourth'].map((key) => (
          <div key={key} className="card stack">
            <div className="skeleton" />
            <div className="skeleton" />
            <div className="skeleton" />
          </div>
        ))}
      </div>
    </div>
  );
}
