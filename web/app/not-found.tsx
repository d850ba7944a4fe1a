import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="page">
      <h1>404 · Not found</h1>
      <p>
        <Link href="/">Home</Link>
      </p>
    </main>
  );
}
