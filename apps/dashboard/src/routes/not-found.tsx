import { Link } from "react-router";

export default function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/chatbots">Go to your chatbots</Link>.
      </p>
    </section>
  );
}
