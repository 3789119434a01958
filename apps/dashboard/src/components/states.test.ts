import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LoadMore } from "./states";

const render = (query: { hasNextPage: boolean; isFetchingNextPage: boolean }, fetchNextPage = () => {}) =>
  renderToStaticMarkup(createElement(LoadMore, { query: { ...query, fetchNextPage } }, "Load more"));

describe("LoadMore", () => {
  it("shows nothing once the list is complete", () => {
    expect(render({ hasNextPage: false, isFetchingNextPage: false })).toBe("");
  });

  it("offers the next page, and is disabled while it is being fetched", () => {
    expect(render({ hasNextPage: true, isFetchingNextPage: false })).toBe(
      '<button type="button" class="button">Load more</button>',
    );
    expect(render({ hasNextPage: true, isFetchingNextPage: true })).toBe(
      '<button type="button" class="button" disabled="">Load more</button>',
    );
  });
});
