export function Breadcrumbs({ trail }: { trail: { label: string; href?: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {trail.map(({ label, href }, index) =>
          href ? (
            <li key={index}>
              <a href={href}>{label}</a>
            </li>
          ) : (
            <li key={index} aria-current="page">
              {label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}
