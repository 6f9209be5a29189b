// The widget's styles, inlined in its shadow root: nothing of the host page's CSS comes
// in (``all: initial`` on the host stops inherited properties; ``!important`` there wins
// over the page's own ``!important`` rules for the host element), nothing goes out.
export const CSS = `
:host{--a:#0e746f;--a2:#0b5f5b;--ink:#111c2d;--ink2:#4b5a6e;--line:#e1e6ed;--bg:#f6f8fa;--danger:#c62f2f;
all:initial!important;display:block!important;color:var(--ink)!important;
font:15px/1.45 ui-sans-serif,system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif!important}
*{box-sizing:border-box;font:inherit;color:inherit;margin:0}
button,textarea,input{font:inherit;color:inherit}
button{cursor:pointer;border:0;background:none;padding:0}
:focus-visible{outline:3px solid color-mix(in srgb,var(--a) 45%,transparent);outline-offset:2px}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;
background:var(--a);color:#fff;display:grid;place-items:center;box-shadow:0 10px 30px -6px rgb(17 28 45/.35),0 2px 6px rgb(17 28 45/.15);
transition:transform .15s ease,background .15s}
.bubble:hover{background:var(--a2);transform:scale(1.05)}
.bubble svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#f26b4f;
color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center;border:2px solid #fff}
.panel{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 112px));
display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;
box-shadow:0 24px 60px -12px rgb(17 28 45/.35),0 0 0 1px rgb(17 28 45/.06);animation:up .18s ease-out}
@keyframes up{from{opacity:0;transform:translateY(12px)}}
.head{display:flex;align-items:center;gap:12px;padding:16px 14px 16px 18px;background:var(--a);color:#fff}
.avatar{flex:none;width:38px;height:38px;border-radius:50%;background:rgb(255 255 255/.18);display:grid;place-items:center;font-weight:700}
.avatar svg{width:20px;height:20px;fill:none;stroke:#fff;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.who{flex:1;min-width:0}
.who h2{font-size:16px;font-weight:700;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.who p{font-size:13px;opacity:.85}
.x{width:36px;height:36px;border-radius:10px;display:grid;place-items:center;color:#fff}
.x:hover{background:rgb(255 255 255/.15)}
.x svg{width:20px;height:20px;stroke:currentColor;stroke-width:2.2;fill:none;stroke-linecap:round}
.body{flex:1;overflow-y:auto;background:var(--bg);padding:16px;display:flex;flex-direction:column;gap:6px;overscroll-behavior:contain}
.intro{background:#fff;border:1px solid var(--line);border-radius:14px;padding:16px;color:var(--ink2);font-size:14px}
form.start{display:flex;flex-direction:column;gap:12px;margin-top:12px}
label{display:block;font-size:13px;font-weight:600;margin-bottom:4px;color:var(--ink)}
input{width:100%;height:42px;border:1px solid #c9d1dc;border-radius:10px;padding:0 12px;background:#fff}
input:focus{border-color:var(--a);outline:0;box-shadow:0 0 0 3px color-mix(in srgb,var(--a) 25%,transparent)}
input[aria-invalid=true]{border-color:var(--danger)}
.err{color:var(--danger);font-size:13px;margin-top:4px}
.alert{background:#fdecec;color:var(--danger);border-radius:10px;padding:10px 12px;font-size:13px}
.note{background:#fdf3e2;color:#b45309;border-radius:10px;padding:8px 12px;font-size:13px;text-align:center}
.primary{height:44px;border-radius:10px;background:var(--a);color:#fff;font-weight:600}
.primary:hover{background:var(--a2)}
.primary[disabled]{opacity:.6;cursor:default}
.empty{text-align:center;color:var(--ink2);font-size:14px;padding:24px 12px;margin:auto 0}
.day{align-self:center;font-size:12px;color:var(--ink2);background:#fff;border:1px solid var(--line);border-radius:999px;padding:2px 10px;margin:8px 0}
.msg{max-width:82%;display:flex;flex-direction:column;gap:2px}
.msg.in{align-self:flex-end;align-items:flex-end}
.msg.out{align-self:flex-start;align-items:flex-start}
.text{padding:9px 13px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:14.5px}
.in .text{background:var(--a);color:#fff;border-bottom-right-radius:5px}
.out .text{background:#fff;border:1px solid var(--line);border-bottom-left-radius:5px}
.failed .text{background:#fff;color:var(--ink);border:1px solid var(--danger)}
.meta{font-size:11.5px;color:var(--ink2);display:flex;gap:6px;align-items:center;padding:0 4px}
.meta .bad{color:var(--danger);font-weight:600}
.link{color:var(--a);font-weight:600;text-decoration:underline;font-size:11.5px}
.foot{border-top:1px solid var(--line);background:#fff;padding:10px 12px 8px}
.compose{display:flex;align-items:flex-end;gap:8px}
textarea{flex:1;resize:none;border:1px solid #c9d1dc;border-radius:12px;padding:10px 12px;min-height:44px;max-height:120px;background:#fff;line-height:1.4}
textarea:focus{border-color:var(--a);outline:0;box-shadow:0 0 0 3px color-mix(in srgb,var(--a) 25%,transparent)}
.send{flex:none;width:44px;height:44px;border-radius:12px;background:var(--a);color:#fff;display:grid;place-items:center}
.send:hover{background:var(--a2)}
.send svg{width:20px;height:20px;fill:currentColor}
.small{display:flex;flex-wrap:wrap;justify-content:space-between;gap:2px 8px;font-size:11px;color:#66758a;margin-top:6px}
.small span{white-space:nowrap}
@media (max-width:480px){
.panel{inset:0;width:auto;height:100%;border-radius:0;bottom:0;right:0}
.bubble.hidden{display:none}
.small .k{display:none}
}
@media (prefers-reduced-motion:reduce){.panel{animation:none}.bubble{transition:none}}
`;
