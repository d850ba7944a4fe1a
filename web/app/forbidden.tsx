import Link from "next/link";

export default function Forbidden() {
  return (
    <main id="main" className="page">
      <h1>403 · Not allowed</h1>
      <p data-testid="forbidden">This page is for administrators only.</p>
      <p>
        <Link href="/chat">Back to chat</Link>
      </p>
    </main>
  );
}
