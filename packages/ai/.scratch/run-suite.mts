const name = process.argv[2];
const suite = (await import(`../bench/${name}.ts`)).default;
const t = performance.now();
console.log(JSON.stringify(await suite.run(), null, 1));
console.log(((performance.now() - t) / 1000).toFixed(1), "s");
process.exit(0);
