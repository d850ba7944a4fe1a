// Tailwind CSS v4 runs as a PostCSS plugin in Next's CSS pipeline: the output is
// one static stylesheet under /_next/static (style-src 'self'), no inline styles.
const config = { plugins: { "@tailwindcss/postcss": {} } };
export default config;
