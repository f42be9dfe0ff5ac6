import Foundation

/// The live dashboard at `/dashboard`: one HTML page with inline CSS and a small vanilla script that polls
/// `GET /v1/admin/dashboard` and draws what it returns (no build step, no network beyond this server).
///
/// The page itself holds no shop data, so it is served without a key; every number on it comes from JSON
/// endpoints that need a read key when the server has keys. The script asks for the key once and keeps it in
/// the tab's `sessionStorage` (never in the URL, so it stays out of logs and history).
enum DashboardPage {
  /// Milliseconds between polls.
  static let pollMilliseconds = 2_000

  /// The page.
  static func html(keysRequired: Bool) -> String {
    let script = self.script.replacingOccurrences(of: "__POLL__", with: String(pollMilliseconds))
      .replacingOccurrences(of: "__KEYS__", with: keysRequired ? "true" : "false")
    return """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Basketry — live dashboard</title>
      <link rel="icon" href="data:,">
      <style>\(style)</style>
      </head>
      <body>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <h1>Basketry <span class="muted">live</span></h1>
        <p id="status" role="status" aria-live="polite">Loading…</p>
        <form id="keyform" hidden>
          <label for="key">API key (read or admin)</label>
          <input id="key" type="password" autocomplete="off" required>
          <button type="submit">Use key</button>
        </form>
      </header>
      <main id="main">
        <section aria-labelledby="h-overview">
          <h2 id="h-overview">Overview</h2>
          <div class="tiles" id="tiles"></div>
        </section>
        <section aria-labelledby="h-events">
          <h2 id="h-events">Events per second</h2>
          <p class="muted">Stored by this server over the last two minutes, by type.</p>
          <figure>
            <div id="events-chart" class="chart"></div>
            <figcaption id="events-caption"></figcaption>
          </figure>
          <details><summary>Events as a table</summary><div id="events-table"></div></details>
        </section>
        <section aria-labelledby="h-latency">
          <h2 id="h-latency">Request latency</h2>
          <p class="muted">Milliseconds, over the last one to two minutes (p99 since start in the last column).</p>
          <div id="latency" class="scroll"></div>
        </section>
        <section aria-labelledby="h-model">
          <h2 id="h-model">Model</h2>
          <div id="model"></div>
        </section>
        <section aria-labelledby="h-experiments">
          <h2 id="h-experiments">Experiments</h2>
          <div id="experiments"></div>
        </section>
        <section aria-labelledby="h-prices">
          <h2 id="h-prices">Price tests</h2>
          <p class="muted">Running tests: each level's sessions, units and profit, the posterior-mean profit per
          session and the chance each level is best. New sessions draw their level from the posterior; retired
          levels are no longer shown.</p>
          <div id="prices"></div>
        </section>
        <section aria-labelledby="h-bandit">
          <h2 id="h-bandit">Discount bandit</h2>
          <p class="muted">For the bundles priced most often: each discount level's purchase probability,
          posterior mean with its 95&nbsp;% interval.</p>
          <div id="bandit"></div>
        </section>
        <section aria-labelledby="h-bundles">
          <h2 id="h-bundles">Top bundles served</h2>
          <div id="bundles" class="scroll"></div>
        </section>
        <section aria-labelledby="h-items">
          <h2 id="h-items">Item lookup</h2>
          <form id="itemform" role="search">
            <label for="itemq">Item id or title</label>
            <input id="itemq" type="search" required maxlength="200">
            <button type="submit">Search</button>
          </form>
          <div id="items" aria-live="polite"></div>
        </section>
        <section aria-labelledby="h-users">
          <h2 id="h-users">Shopper lookup</h2>
          <form id="userform" role="search">
            <label for="userq">Shopper id</label>
            <input id="userq" type="search" required maxlength="256">
            <button type="submit">Look up</button>
          </form>
          <p class="muted">Looking a shopper up asks the service for their recommendations and bundles, as the shop
          would; those answers are logged as impressions like any other.</p>
          <div id="user" aria-live="polite"></div>
        </section>
      </main>
      <script>\(script)</script>
      </body>
      </html>
      """
  }

  static let style = """
    :root{--ink:#1d2330;--muted:#5b6474;--line:#d9dde5;--bg:#f7f8fa;--card:#fff;--accent:#1f5fbf;--good:#1b7a3d;--bad:#b3261e}
    [hidden]{display:none!important}*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
    header,main{max-width:1180px;margin:0 auto;padding:12px 16px}header{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:baseline}
    h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:0 0 6px}h3{font-size:1rem;margin:12px 0 4px}
    section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 14px}
    .muted{color:var(--muted)}.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px}
    .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
    .tile{border:1px solid var(--line);border-radius:6px;padding:8px 10px}.tile b{display:block;font-size:1.35rem}
    table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    td.n,th.n{text-align:right}.scroll{overflow-x:auto}.chart svg{width:100%;height:auto;display:block}
    .chosen{font-weight:600}.tag{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 6px;font-size:.8rem}
    .up{color:var(--good)}.down{color:var(--bad)}button,input{font:inherit;padding:4px 8px}
    a,button{color:var(--accent)}:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
    form{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:4px 0 8px}
    .bar{position:relative;height:10px;background:#eef1f5;border-radius:3px;min-width:80px}
    .bar i{position:absolute;top:0;bottom:0;background:#9db8e6;border-radius:3px}.bar b{position:absolute;top:-2px;bottom:-2px;width:2px;background:var(--ink)}
    @media (max-width:640px){body{font-size:14px}th,td{padding:3px 4px}}
    @media print{form,#keyform{display:none}section{break-inside:avoid}}
    """

  static let script = """
    "use strict";
    const POLL=__POLL__;let keysRequired=__KEYS__;
    const $=id=>document.getElementById(id);
    const esc=s=>String(s==null?"":s).replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
    const num=(x,d=0)=>x==null?"–":Number(x).toLocaleString("en",{minimumFractionDigits:d,maximumFractionDigits:d});
    const pct=(x,d=1)=>x==null?"–":(100*x).toFixed(d)+" %";
    const when=t=>t?new Date(t*1000).toISOString().replace("T"," ").slice(0,16)+" UTC":"–";
    function headers(){const k=sessionStorage.getItem("basketryKey");return k?{Authorization:"Bearer "+k}:{}}
    async function get(path){
      const r=await fetch(path,{headers:headers()});
      if(r.status===401||r.status===403){$("keyform").hidden=false;throw new Error("a read or admin key is needed")}
      const body=await r.json();if(!r.ok)throw new Error((body.error&&body.error.message)||r.status);return body}
    $("keyform").addEventListener("submit",e=>{e.preventDefault();sessionStorage.setItem("basketryKey",$("key").value);$("keyform").hidden=true;poll()});
    function table(cols,rows,caption){
      let h="<div class=scroll><table>"+(caption?"<caption class=muted>"+esc(caption)+"</caption>":"")+"<thead><tr>";
      for(const c of cols)h+="<th scope=col"+(c.n?" class=n":"")+">"+esc(c.t)+"</th>";h+="</tr></thead><tbody>";
      for(const r of rows){h+="<tr"+(r.cls?" class="+r.cls:"")+">";r.cells.forEach((v,i)=>{h+="<td"+(cols[i]&&cols[i].n?" class=n":"")+">"+v+"</td>"});h+="</tr>"}
      return h+"</tbody></table></div>"}
    const TYPES={view:{dash:"",mark:"circle"},cart:{dash:"6 3",mark:"square"},purchase:{dash:"2 3",mark:"diamond"},return:{dash:"10 3 2 3",mark:"triangle"}};
    const COLORS={view:"#1f5fbf",cart:"#b35c00",purchase:"#1b7a3d",return:"#8a2be2"};
    function marker(kind,x,y,c){
      if(kind==="square")return `<rect x="${x-3}" y="${y-3}" width="6" height="6" fill="${c}"/>`;
      if(kind==="diamond")return `<path d="M${x} ${y-4}L${x+4} ${y}L${x} ${y+4}L${x-4} ${y}Z" fill="${c}"/>`;
      if(kind==="triangle")return `<path d="M${x} ${y-4}L${x+4} ${y+3}L${x-4} ${y+3}Z" fill="${c}"/>`;
      return `<circle cx="${x}" cy="${y}" r="3" fill="${c}"/>`}
    function eventsChart(ev){
      const W=720,H=220,L=40,B=24,T=10,R=110,n=ev.window_seconds;
      const max=Math.max(1,...ev.types.flatMap(t=>t.per_second));
      const x=i=>L+(W-L-R)*(n<=1?0:i/(n-1)),y=v=>T+(H-T-B)*(1-v/max);
      let s=`<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="events-caption">`;
      for(const f of [0,0.5,1]){const v=Math.round(max*f);s+=`<line x1="${L}" x2="${W-R}" y1="${y(v)}" y2="${y(v)}" stroke="#d9dde5"/><text x="${L-6}" y="${y(v)+4}" font-size="11" text-anchor="end">${v}</text>`}
      s+=`<text x="${L}" y="${H-6}" font-size="11">−${n} s</text><text x="${W-R}" y="${H-6}" font-size="11" text-anchor="end">now</text>`;
      ev.types.forEach((t,k)=>{const st=TYPES[t.type]||TYPES.view,c=COLORS[t.type]||"#333";
        const pts=t.per_second.map((v,i)=>`${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
        s+=`<polyline class="series" data-type="${esc(t.type)}" data-total="${t.per_second.reduce((a,b)=>a+b,0)}" points="${pts}" fill="none" stroke="${c}" stroke-width="2" stroke-dasharray="${st.dash}"/>`;
        const ly=T+14+k*18;s+=`<line x1="${W-R+8}" x2="${W-R+34}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2" stroke-dasharray="${st.dash}"/>`+marker(st.mark,W-R+21,ly,c)+`<text x="${W-R+40}" y="${ly+4}" font-size="12">${esc(t.type)}</text>`});
      return s+"</svg>"}
    function render(d){
      const ev=d.events,by={};for(const t of ev.types)by[t.type]=t;
      const tiles=[["Events in the store",num(d.store.events)],["Purchase baskets",num(d.store.baskets)],["Catalog items",num(d.store.catalog_items)],
        ["Model version",d.model?d.model.version:"none"],["Views, last minute",num(by.view&&by.view.last_minute)],["Carts, last minute",num(by.cart&&by.cart.last_minute)],
        ["Purchases, last minute",num(by.purchase&&by.purchase.last_minute)],["Events since start",num(ev.types.reduce((a,t)=>a+t.since_start,0))]];
      $("tiles").innerHTML=tiles.map(([k,v])=>`<div class=tile><span class=muted>${esc(k)}</span><b>${esc(v)}</b></div>`).join("");
      $("events-chart").innerHTML=eventsChart(ev);
      $("events-caption").textContent="Events per second, last "+ev.window_seconds+" s: "+ev.types.map(t=>t.type+" "+t.last_minute+" in the last minute").join(", ")+".";
      const recent=[];for(let i=Math.max(0,ev.window_seconds-10);i<ev.window_seconds;i++)recent.push(i);
      $("events-table").innerHTML=table([{t:"type"},{t:"last minute",n:1},{t:"since start",n:1}].concat(recent.map(i=>({t:(i-ev.window_seconds+1)+" s",n:1}))),
        ev.types.map(t=>({cells:[esc(t.type),num(t.last_minute),num(t.since_start)].concat(recent.map(i=>num(t.per_second[i])))})));
      $("latency").innerHTML=d.latency.length?table([{t:"route"},{t:"method"},{t:"requests",n:1},{t:"p50",n:1},{t:"p90",n:1},{t:"p99",n:1},{t:"max",n:1},{t:"p99 since start",n:1}],
        d.latency.map(r=>({cells:[esc(r.route),esc(r.method),num(r.recent_count),num(r.p50,2),num(r.p90,2),num(r.p99,2),num(r.max,2),num(r.total_p99,2)]}))):"<p>No requests yet.</p>";
      renderModel(d.model);renderExperiments(d.experiments);renderPriceTests(d.price_tests||[]);renderBandit(d.bandit);
      $("bundles").innerHTML=d.top_bundles.length?table([{t:"bundle"},{t:"shown",n:1},{t:"taken",n:1},{t:"attach rate",n:1},{t:"revenue",n:1}],
        d.top_bundles.map(b=>({cells:[esc(b.titles.join(" + ")),num(b.shown),num(b.taken),pct(b.attach_rate),num(b.revenue,2)]}))):"<p>No bundles offered since this server started.</p>";
      $("status").textContent="Updated "+new Date(d.generated_at*1000).toLocaleTimeString()+" · server up since "+when(d.replica_started_at);
      document.body.dataset.generatedAt=d.generated_at}
    function renderModel(m){
      if(!m){$("model").innerHTML="<p>No model published yet: run <code>basketry train</code>.</p>";return}
      let h=`<p>Version <b>${m.version}</b>, trained ${esc(when(m.trained_at))} on ${num(m.orders)} orders, ${num(m.users)} shoppers and ${num(m.items)} items; ${num(m.bundles)} bundles. Recommender: <b>${esc(m.recommender)}</b>.</p>`;
      const s=m.selection;
      if(s){const val=r=>r.metrics?r.metrics[s.metric]:null,vals=s.leaderboard.map(val).filter(v=>v!=null),best=vals.length?Math.max(...vals):1;
        h+=table([{t:"model"},{t:"settings"},{t:s.metric,n:1},{t:"relative"}],s.leaderboard.map(r=>{const chosen=r.model===s.best,pop=r.model==="pop",v=val(r);
          return {cls:chosen?"chosen":"",cells:[esc(r.model)+(chosen?' <span class=tag>served</span>':"")+(pop?' <span class=tag>popularity baseline</span>':""),
            esc(Object.entries(r.parameters||{}).map(([k,x])=>k+"="+x).join(", ")),num(v,4),
            v!=null?`<div class=bar aria-hidden=true><i style="left:0;width:${(100*v/best).toFixed(1)}%"></i></div>`:esc(r.note||"")]}}),
          "Validation from "+when(s.validation_start)+" to "+when(s.validation_end)+", "+num(s.users)+" shoppers")}
      $("model").innerHTML=h}
    function renderExperiments(list){
      if(!list.length){$("experiments").innerHTML="<p>No experiments. Create one with <code>POST /v1/experiments</code>.</p>";return}
      $("experiments").innerHTML=list.map(r=>{const e=r.experiment;
        return `<article class=experiment data-id="${esc(e.id)}"><h3>${esc(e.name||e.id)} <span class=tag>${r.active?"running":"stopped"}</span></h3>`+
        table([{t:"variant"},{t:"impressions",n:1},{t:"sessions",n:1},{t:"CTR",n:1},{t:"conversions",n:1},{t:"conversion (95 % CI)",n:1},{t:"vs control (95 % CI)",n:1},{t:"revenue / session",n:1},{t:"p",n:1},{t:"still needed",n:1}],
          r.variants.map((v,i)=>({cells:[esc(v.variant)+(i===0?' <span class=tag>control</span>':""),num(v.impressions),num(v.sessions),pct(v.ctr),num(v.conversions),
            pct(v.conversion_rate,2)+' <span class=muted>['+pct(v.conversion_interval[0],2)+", "+pct(v.conversion_interval[1],2)+"]</span>",
            v.difference_interval?'<span class="'+(v.difference_interval[0]>0?"up":v.difference_interval[1]<0?"down":"")+'">'+(v.difference_interval[0]>0?"▲ ":v.difference_interval[1]<0?"▼ ":"")+"["+pct(v.difference_interval[0],2)+", "+pct(v.difference_interval[1],2)+"]</span>":"–",
            num(v.revenue_per_session,2),v.conversion_p_value==null?"–":v.conversion_p_value.toFixed(3)+(v.significant?" (significant)":""),v.sample_size_still_needed==null?"–":num(v.sample_size_still_needed)]}))) + "</article>"}).join("")}
    function renderPriceTests(list){
      if(!list.length){$("prices").innerHTML="<p>No price test running. Start one with <code>POST /v1/price-tests</code>.</p>";return}
      $("prices").innerHTML=list.map(t=>{const budget=t.profit_at_risk_budget,used=budget?Math.min(1,t.profit_at_risk/budget):0;
        return `<article class=pricetest data-id="${esc(t.id)}" data-best="${t.posterior_best_price}"><h3>${esc(t.item)} <span class=tag>${esc(t.policy)}</span>${t.budget_exhausted?' <span class=tag>budget spent</span>':""}</h3>`+
        `<p>Current price <b>${num(t.current_price,2)}</b>, cost ${num(t.cost,2)}. Posterior-best level: <b class=best>${num(t.posterior_best_price,2)}</b>. `+
        `Profit at risk <b class=risk>${num(t.profit_at_risk,2)}</b>`+(budget!=null?` of a budget of ${num(budget,2)} (${pct(used,0)})`:" (no budget)")+`. Elasticity ${num(t.elasticity,2)} ± ${num(t.elasticity_standard_error,2)}.</p>`+
        table([{t:"price",n:1},{t:"sessions",n:1},{t:"units",n:1},{t:"profit",n:1},{t:"profit / session",n:1},{t:"P(best)",n:1},{t:""},{t:"status"}],
          t.levels.map(l=>({cls:l.price===t.posterior_best_price?"chosen":"",cells:[num(l.price,2),num(l.sessions),num(l.units,1),num(l.profit,2),num(l.expected_profit_per_session,4),pct(l.probability_best,0),
            `<div class=bar aria-hidden=true><i style="left:0;width:${(100*l.probability_best).toFixed(1)}%"></i></div>`,(l.is_current?'<span class=tag>current</span> ':"")+(l.active?"explored":'<span class=down>retired</span>')]})),
          "Levels of "+t.item+", ascending by price")+"</article>"}).join("")}
    function renderBandit(b){
      if(!b.bundles.length){$("bandit").innerHTML="<p>No bandit-priced offers yet (prior Beta("+b.prior_alpha+", "+b.prior_beta+") on every level).</p>";return}
      $("bandit").innerHTML=b.bundles.map(x=>"<h3>"+esc(x.titles.join(" + "))+"</h3>"+table([{t:"discount",n:1},{t:"offers",n:1},{t:"purchases",n:1},{t:"P(purchase)",n:1},{t:"95 % interval",n:1},{t:""}],
        x.arms.map(a=>({cells:[pct(a.discount,0),num(a.trials),num(a.successes),pct(a.posterior_mean,2),"["+pct(a.low,2)+", "+pct(a.high,2)+"]",
          `<div class=bar aria-hidden=true><i style="left:${(100*a.low).toFixed(1)}%;width:${(100*(a.high-a.low)).toFixed(1)}%"></i><b style="left:${(100*a.posterior_mean).toFixed(1)}%"></b></div>`]})))).join("")}
    async function poll(){
      try{render(await get("/v1/admin/dashboard?seconds=120"))}catch(e){$("status").textContent="Not updated: "+e.message}}
    $("itemform").addEventListener("submit",async e=>{e.preventDefault();const q=$("itemq").value.trim();
      try{const r=await get("/v1/items?q="+encodeURIComponent(q)+"&k=20");
        $("items").innerHTML=r.items.length?"<ul>"+r.items.map(i=>`<li><button type=button data-item="${esc(i.id)}">${esc(i.id)}</button> ${esc(i.title)}${i.hidden?" <span class=tag>hidden</span>":""}</li>`).join("")+"</ul><div id=itemdetail></div>":"<p>No item matches.</p>";
        for(const b of $("items").querySelectorAll("button[data-item]"))b.addEventListener("click",()=>itemDetail(b.dataset.item))}catch(err){$("items").textContent=err.message}});
    async function itemDetail(id){const box=$("itemdetail");
      try{const n=await get("/v1/items/"+encodeURIComponent(id)+"/neighbors?k=10");let h="<h3>"+esc(id)+"</h3>";
        h+=n.complements.length?table([{t:"bought with"},{t:"together",n:1},{t:"lift",n:1}],n.complements.map(c=>({cells:[esc(c.item),num(c.together),num(c.lift,2)]}))):"<p>No complements known.</p>";
        if(n.substitutes.length)h+=table([{t:"bought instead"},{t:"score",n:1}],n.substitutes.map(c=>({cells:[esc(c.item),num(c.score,3)]})));
        try{const b=await get("/v1/bundles?item="+encodeURIComponent(id)+"&k=3");h+=bundlesTable(b.bundles)}catch(e){h+="<p>"+esc(e.message)+"</p>"}
        box.innerHTML=h}catch(err){box.textContent=err.message}}
    function bundlesTable(list){return list.length?table([{t:"bundle"},{t:"list price",n:1},{t:"price",n:1},{t:"discount",n:1}],
      list.map(b=>({cells:[esc(b.items.map(i=>i.title||i.id).join(" + ")),num(b.list_price,2),num(b.price,2),pct(b.discount,0)]}))):"<p>No bundles.</p>"}
    $("userform").addEventListener("submit",async e=>{e.preventDefault();const u=$("userq").value.trim();let h="";
      try{const p=await get("/v1/users/"+encodeURIComponent(u)+"/profile"),f=p.profile;
        h+="<h3>Profile</h3>"+table([{t:"as of"},{t:"segment"},{t:"lifecycle"},{t:"P(alive)",n:1},{t:"orders, next 90 days",n:1},{t:"lifetime value",n:1},{t:"interests"}],
          [{cells:[esc(p.as_of),esc(f.segment),esc(f.lifecycle),pct(f.probability_alive),num(f.expected_orders,2),num(f.lifetime_value,2),esc((f.interests||[]).map(i=>i.label).join(", "))]}])}
      catch(err){h+="<p>No profile: "+esc(err.message)+"</p>"}
      try{const r=await get("/v1/users/"+encodeURIComponent(u)+"/recommendations?k=10");
        h+="<h3>Recommended items</h3>"+(r.recommendations.length?table([{t:"#",n:1},{t:"item"},{t:"score",n:1}],r.recommendations.map((i,k)=>({cells:[k+1,esc(i.item),num(i.score,4)]}))):"<p>None.</p>");
        const b=await get("/v1/bundles?user="+encodeURIComponent(u)+"&k=3");h+="<h3>Bundles for this shopper</h3>"+bundlesTable(b.bundles);
        $("user").innerHTML=h}catch(err){$("user").textContent=err.message}});
    if(keysRequired&&!sessionStorage.getItem("basketryKey"))$("keyform").hidden=false;
    poll();setInterval(poll,POLL);
    """
}
