import { type Block, type Inline, parseMarkdown } from "./markdown";

// Builds DOM nodes only through createElement/createTextNode, so model text can never become markup.

function renderInline(doc: Document, parent: Node, nodes: Inline[]): void {
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        parent.appendChild(doc.createTextNode(node.text));
        break;
      case "break":
        parent.appendChild(doc.createElement("br"));
        break;
      case "code": {
        const code = doc.createElement("code");
        code.textContent = node.text;
        parent.appendChild(code);
        break;
      }
      case "strong":
      case "em": {
        const element = doc.createElement(node.type);
        renderInline(doc, element, node.children);
        parent.appendChild(element);
        break;
      }
      case "link": {
        const a = doc.createElement("a");
        a.href = node.href;
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
        renderInline(doc, a, node.children);
        parent.appendChild(a);
        break;
      }
    }
  }
}

function renderBlock(doc: Document, block: Block): HTMLElement {
  switch (block.type) {
    case "paragraph":
    case "heading": {
      const p = doc.createElement("p");
      if (block.type === "heading") {
        const strong = doc.createElement("strong");
        renderInline(doc, strong, block.children);
        p.appendChild(strong);
      } else renderInline(doc, p, block.children);
      return p;
    }
    case "list": {
      const list = doc.createElement(block.ordered ? "ol" : "ul");
      for (const item of block.items) {
        const li = doc.createElement("li");
        renderInline(doc, li, item);
        list.appendChild(li);
      }
      return list;
    }
    case "code": {
      const pre = doc.createElement("pre");
      const code = doc.createElement("code");
      code.textContent = block.text;
      pre.appendChild(code);
      return pre;
    }
  }
}

export function renderMarkdown(doc: Document, source: string): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.appendChild(renderBlock(doc, block));
  return fragment;
}
