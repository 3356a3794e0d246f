import { Img, Link, Section } from "@react-email/components";
import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { Layout, getTemplate, listTemplates, renderHtml } from "@hogsend/email";

describe("renderHtml", () => {
  it("produces exactly what @react-email/render's render(el) produces, for every registered template", async () => {
    for (const { key } of listTemplates()) {
      const definition = getTemplate(key)!;
      const Component = definition.component as (props: unknown) => React.ReactNode;
      const element = <Component {...(definition.sampleProps as object)} />;
      expect(await renderHtml(element), key).toBe(await render(element));
    }
  });

  it("matches render(el) with images (no preload hints), stylesheets and async components", async () => {
    async function Late({ label }: { label: string }) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return <Link href="https://example.com/late">{label}</Link>;
    }
    const element = (
      <Layout preview="img">
        <link rel="stylesheet" href="https://example.com/a.css" />
        <Img src="https://example.com/logo.png" width="120" height="40" alt="Logo" />
        <Section>
          <Late label="later" />
        </Section>
      </Layout>
    );
    const ours = await renderHtml(element);
    expect(ours).toBe(await render(element));
    expect(ours).toContain('src="https://example.com/logo.png"');
    expect(ours).not.toMatch(/<link[^>]*rel="preload"/);
    expect(ours).toContain(">later</a>");
  });

  it("rejects when a component throws", async () => {
    function Broken(): React.ReactNode {
      throw new Error("boom");
    }
    await expect(renderHtml(<Layout preview="x"><Broken /></Layout>)).rejects.toThrow("boom");
  });
});
