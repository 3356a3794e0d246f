import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  DuplicateTemplateError,
  Layout,
  getTemplate,
  listTemplates,
  registerTemplate,
  renderTemplate,
  validateTemplateProps,
  type TemplateDefinition,
} from "@hogsend/email";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * How an app adds a template. Checked in its own TypeScript program (below) rather than as a file of
 * this project: a module augmentation applies to the whole program it is part of, and this one must
 * not add a test key to the project's `TemplateKey`.
 */
const APP_MODULE = `
import { z } from "zod";
import { defineTemplate, renderTemplate, validateTemplateProps, type TemplateKey } from "@hogsend/email";

declare module "@hogsend/email" {
  interface TemplateProps {
    "billing/receipt": { amount: number; currency?: string };
  }
}

function Receipt({ amount, currency = "USD" }: { amount: number; currency?: string }) {
  return <p>{\`Paid \${amount} \${currency}\`}</p>;
}

export const receipt = defineTemplate("billing/receipt", {
  component: Receipt,
  category: "transactional",
  defaultSubject: "Your receipt",
  props: z.object({ amount: z.number(), currency: z.string().optional() }),
  sampleProps: { amount: 12 },
});

export async function send() {
  const key: TemplateKey = "billing/receipt";
  await renderTemplate(key, { amount: 9.5, currency: "EUR" });
  await renderTemplate("support/followup", { ticketId: "1" });
  // @ts-expect-error amount must be a number
  await renderTemplate("billing/receipt", { amount: "9.50" });
  // @ts-expect-error amount is required
  await renderTemplate("billing/receipt", { currency: "EUR" });
  const verdict = validateTemplateProps("billing/receipt", {});
  // @ts-expect-error parsed props are typed by the augmentation
  if (verdict.ok) verdict.props.amount.toUpperCase();
}

defineTemplate("billing/receipt", {
  component: Receipt,
  category: "transactional",
  defaultSubject: "Your receipt",
  props: z.object({ amount: z.number() }),
  // @ts-expect-error sample props must match the augmented type
  sampleProps: { amount: "12" },
});
`;

// Library files parsed once and shared by the programs below.
const sourceFiles = new Map<string, ts.SourceFile | undefined>();
let previousProgram: ts.Program | undefined;

function typecheckAppModule(source: string): string[] {
  const configFile = ts.findConfigFile(here, ts.sys.fileExists, "tsconfig.json");
  if (!configFile) throw new Error("tsconfig.json not found");
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error("tsconfig.json did not parse");
  const options = { ...parsed.options, noEmit: true };
  const fileName = path.join(here, "__app_module__.tsx");
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === fileName || fileExists.call(host, f);
  host.readFile = (f) => (f === fileName ? source : readFile.call(host, f));
  host.getSourceFile = (f, language, ...rest) => {
    if (f === fileName) return ts.createSourceFile(f, source, language, true, ts.ScriptKind.TSX);
    let file = sourceFiles.get(f);
    if (!file) sourceFiles.set(f, (file = getSourceFile.call(host, f, language, ...rest)));
    return file;
  };
  const program = ts.createProgram([fileName], options, host, previousProgram);
  previousProgram = program;
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fileName)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("app-defined templates", () => {
  it("are typed through `declare module` augmentation of TemplateProps", () => {
    expect(typecheckAppModule(APP_MODULE)).toEqual([]);
    // And the checks above do bite: without the augmentation the key is unknown.
    const withoutAugmentation = typecheckAppModule(APP_MODULE.replace(/declare module[\s\S]*?\n}\n/, ""));
    expect(withoutAugmentation.some((m) => m.includes('"billing/receipt"'))).toBe(true);
  });

  // Runtime registry behaviour; the key is cast because this file does not augment TemplateProps.
  function Receipt({ amount, currency = "USD" }: { amount: number; currency?: string }) {
    return (
      <Layout preview="Your receipt" transactional>
        <p>{`Paid ${amount.toFixed(2)} ${currency}`}</p>
      </Layout>
    );
  }
  const receipt: TemplateDefinition<{ amount: number; currency?: string }> = {
    key: "test/receipt",
    component: Receipt,
    category: "transactional",
    defaultSubject: "Your receipt",
    props: z.object({ amount: z.number().positive(), currency: z.string().length(3).optional() }),
    sampleProps: { amount: 12 },
  };
  const key = "test/receipt" as never;

  it("registers, validates and renders", async () => {
    registerTemplate(receipt as never);
    expect(getTemplate("test/receipt")).toBe(receipt);
    expect(listTemplates().map((t) => t.key)).toContain("test/receipt");
    const { html, text } = await renderTemplate(key, { amount: 9.5, currency: "EUR" } as never);
    expect(html).toContain("Paid 9.50 EUR");
    expect(text).toContain("Paid 9.50 EUR");
    const verdict = validateTemplateProps(key, { amount: -1 });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.issues[0]?.path).toBe("amount");
  });

  it("refuses a second, different definition under a taken key unless replacing", () => {
    expect(registerTemplate(receipt as never)).toBe(receipt); // the same definition again: a no-op
    const other = { ...receipt };
    expect(() => registerTemplate(other as never)).toThrow(DuplicateTemplateError);
    expect(registerTemplate(other as never, { replace: true })).toBe(other);
  });
});
